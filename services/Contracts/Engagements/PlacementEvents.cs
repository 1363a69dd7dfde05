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
