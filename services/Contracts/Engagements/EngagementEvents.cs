namespace InterimPlatform.Contracts.Engagements.V1;

/// <summary>An interim manager was contracted for an engagement: unavailable to others for that period.</summary>
/// <param name="EndDate">Last day of the contract (inclusive).</param>
public sealed record CandidatePlaced(
    Guid PlacementId,
    Guid EngagementId,
    Guid CandidateId,
    DateOnly StartDate,
    DateOnly EndDate,
    decimal DayRate,
    string Currency,
    DateTimeOffset PlacedAt);

/// <summary>A placement ended (completed, replaced or cancelled): the person is free again after <paramref name="EndedOn"/>.</summary>
public sealed record PlacementEnded(
    Guid PlacementId,
    Guid EngagementId,
    Guid CandidateId,
    DateOnly EndedOn,
    string Reason,
    DateTimeOffset EndedAt);

/// <summary>
/// An interim assignment was completed: the interim manager's track record grows by it. Sent once per
/// placement; <paramref name="PlacementId"/> identifies the assignment.
/// </summary>
/// <param name="Sector">The client's industry, for example "manufacturing".</param>
/// <param name="Role">The engagement's title, for example "Interim CFO".</param>
/// <param name="EngagementType">gap-cover, project-leadership, transformation, change, crisis or expertise.</param>
/// <param name="Level">The role's level.</param>
/// <param name="Outcome">exceeded, achieved, partly-achieved, not-achieved or ended-early.</param>
/// <param name="ClientRating">1–5, when the client gave one.</param>
public sealed record AssignmentCompleted(
    Guid PlacementId,
    Guid EngagementId,
    Guid CandidateId,
    string Sector,
    string Role,
    string EngagementType,
    string Level,
    int Months,
    string Outcome,
    int? ClientRating,
    DateOnly EndedOn,
    DateTimeOffset CompletedAt);

/// <summary>An engagement missed one of its service-level targets (the 10-day promise).</summary>
/// <param name="Milestone">shortlist-ready, proposed or placed.</param>
public sealed record SlaBreached(Guid EngagementId, string Milestone, DateTimeOffset DueAt, DateTimeOffset DetectedAt);
