using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Engagements.Sla;

namespace InterimPlatform.Engagements.Desk;

/// <summary>The seeds' three conditions for an engagement that works, as intake tracks them.</summary>
public sealed record IntakeConditions(bool ClearBrief, bool Sponsor, bool ExitPlan);

/// <summary>The diagnostic phase: the first two weeks of an active engagement, a milestone of its own.</summary>
public sealed record DiagnosticMilestone(DateOnly DueOn, DateTimeOffset? CompletedAt, string? Summary);

/// <summary>An engagement as the API shows it; its ETag is <see cref="Version"/>.</summary>
public sealed record EngagementView(
    Guid Id,
    Guid ClientId,
    string Title,
    string State,
    IReadOnlyList<string> AllowedTransitions,
    MatchBrief? Brief,
    string? Situation,
    Guid? SponsorContactId,
    string? ExitPlan,
    IntakeConditions Conditions,
    EngagementShortlist? Shortlist,
    bool ShortlistPending,
    IReadOnlyList<Proposal> Proposals,
    IReadOnlyList<PlacementRecord> Placements,
    ShadowManager? ShadowManager,
    int ReviewEveryWeeks,
    DateOnly? NextReviewDue,
    DiagnosticMilestone? Diagnostic,
    IReadOnlyList<ProgressReview> Reviews,
    IReadOnlyList<Guid> ExcludedCandidateIds,
    int Replacements,
    bool NextPlacementFeeWaived,
    DateTimeOffset? SlaClockStartedAt,
    IReadOnlyList<MilestoneStatus> Sla,
    string? Outcome,
    int? ClientRating,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    uint Version)
{
    public static EngagementView From(Engagement e, SlaOptions sla, DateTimeOffset now) => new(
        e.Id, e.ClientId, e.Title, e.State, EngagementState.AllowedFrom(e.State), e.Brief, e.Situation, e.SponsorContactId, e.ExitPlan,
        ConditionsOf(e), e.Shortlist, e.PendingMatchRequestId is not null, e.Proposals, e.Placements, e.ShadowManager, e.ReviewEveryWeeks, e.NextReviewDue,
        e.DiagnosticDueOn is { } due ? new DiagnosticMilestone(due, e.DiagnosticCompletedAt, e.DiagnosticSummary) : null,
        e.Reviews, e.ExcludedCandidateIds, e.Replacements, e.NextPlacementFeeWaived, e.ClockStartedAt, SlaClock.Milestones(e, sla, now),
        e.Outcome, e.ClientRating, e.CreatedAt, e.UpdatedAt, e.Version);

    public static IntakeConditions ConditionsOf(Engagement e) =>
        new(e.Brief is not null && MatchBriefRules.Validate(e.Brief).Count == 0, e.SponsorContactId is not null, !string.IsNullOrWhiteSpace(e.ExitPlan));
}

/// <summary>One line of a list of engagements.</summary>
public sealed record EngagementSummary(Guid Id, Guid ClientId, string Title, string State, string? EngagementType, bool AtRisk, bool Breached, DateTimeOffset CreatedAt);

/// <summary>A page of engagements, newest first.</summary>
public sealed record EngagementPage(int Total, int Skip, int Take, IReadOnlyList<EngagementSummary> Items);
