using InterimPlatform.Contracts.Matching.V1;

namespace InterimPlatform.Engagements.Desk;

/// <summary>
/// A client's need for an interim manager, from the first draft of the brief to handover: one aggregate,
/// stored as one row (its lists as jsonb) so a single row version guards every change to it.
/// </summary>
public sealed class Engagement
{
    public const int MaxTitleLength = 200;

    public Guid Id { get; init; }

    public Guid ClientId { get; set; }

    public required string Title { get; set; }

    public string State { get; set; } = EngagementState.Draft;

    /// <summary>What the client asks for; null until the recruiter has written it.</summary>
    public MatchBrief? Brief { get; set; }

    /// <summary>The situation in the client's words.</summary>
    public string? Situation { get; set; }

    /// <summary>The client contact with authority over the engagement.</summary>
    public Guid? SponsorContactId { get; set; }

    /// <summary>How the interim hands over and leaves: agreed up front.</summary>
    public string? ExitPlan { get; set; }

    /// <summary>Denormalised from the brief, for filtering.</summary>
    public string? EngagementType { get; set; }

    public List<Transition> History { get; set; } = [];

    public Guid? PendingMatchRequestId { get; set; }

    public EngagementShortlist? Shortlist { get; set; }

    public List<Proposal> Proposals { get; set; } = [];

    public List<PlacementRecord> Placements { get; set; } = [];

    public ShadowManager? ShadowManager { get; set; }

    public int ReviewEveryWeeks { get; set; } = 4;

    public List<ProgressReview> Reviews { get; set; } = [];

    public DateOnly? NextReviewDue { get; set; }

    public DateOnly? DiagnosticDueOn { get; set; }

    public DateTimeOffset? DiagnosticCompletedAt { get; set; }

    public string? DiagnosticSummary { get; set; }

    /// <summary>People never to shortlist again for this engagement (replaced interims).</summary>
    public List<Guid> ExcludedCandidateIds { get; set; } = [];

    /// <summary>Every candidate this engagement mentions: erasure finds the engagements to clean by it.</summary>
    public List<Guid> CandidateIds { get; set; } = [];

    public int Replacements { get; set; }

    /// <summary>The fee of the next placement is waived (a no-cost replacement is open).</summary>
    public bool NextPlacementFeeWaived { get; set; }

    /// <summary>When the SLA clock started (intake began, or a replacement was opened).</summary>
    public DateTimeOffset? ClockStartedAt { get; set; }

    public DateTimeOffset? ShortlistReadyAt { get; set; }

    public DateTimeOffset? ProposedAt { get; set; }

    public DateTimeOffset? PlacedAt { get; set; }

    /// <summary>Milestones whose breach was already announced since the clock last started.</summary>
    public List<string> BreachesPublished { get; set; } = [];

    public string? Outcome { get; set; }

    public int? ClientRating { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Row version (xmin): the ETag two recruiters' edits are checked against.</summary>
    public uint Version { get; set; }

    public PlacementRecord? CurrentPlacement => Placements.LastOrDefault(p => p.EndedOn is null);

    public bool CanMoveTo(string to) => EngagementState.AllowedFrom(State).Contains(to);

    public void MoveTo(string to, string actor, string? reason, DateTimeOffset at)
    {
        History.Add(new Transition(State, to, actor, reason, at));
        State = to;
        UpdatedAt = at;
    }

    public void Mention(Guid candidateId)
    {
        if (!CandidateIds.Contains(candidateId))
        {
            CandidateIds.Add(candidateId);
        }
    }

    /// <summary>Starts (or restarts, after a replacement) the SLA clock: the milestones count from now.</summary>
    public void StartClock(DateTimeOffset at)
    {
        ClockStartedAt = at;
        ShortlistReadyAt = null;
        ProposedAt = null;
        PlacedAt = null;
        BreachesPublished = [];
    }
}

/// <summary>One step of the lifecycle: who moved the engagement where, when and why.</summary>
public sealed record Transition(string From, string To, string Actor, string? Reason, DateTimeOffset At);

/// <summary>The shortlist Matching produced for the latest match request, with the recruiters' changes.</summary>
public sealed record EngagementShortlist(Guid ShortlistId, Guid RequestId, string WeightsVersion, DateTimeOffset ProducedAt, List<ShortlistCandidate> Candidates);

/// <summary>A candidate on the engagement's shortlist.</summary>
/// <param name="Rank">Matching's rank; null when a recruiter added them by hand.</param>
/// <param name="Removed">Taken off by a recruiter (kept, with the reason, for the record).</param>
public sealed record ShortlistCandidate(
    Guid CandidateId,
    string? FullName,
    int? Rank,
    decimal? Score,
    IReadOnlyList<CriterionScore> Criteria,
    IReadOnlyList<string> Flags,
    bool Removed,
    string? ChangeReason,
    string? ChangedBy);

/// <summary>A candidate proposed to the client and the client's decision.</summary>
/// <param name="Decision">pending, accepted or declined.</param>
public sealed record Proposal(Guid CandidateId, string? FullName, DateTimeOffset ProposedAt, string Decision, string? Reason, DateTimeOffset? DecidedAt, string? DecidedBy);

/// <summary>An interim manager contracted for the engagement. Ended, never deleted.</summary>
public sealed record PlacementRecord(
    Guid Id,
    Guid CandidateId,
    string? FullName,
    DateOnly StartDate,
    DateOnly EndDate,
    decimal DayRate,
    string Currency,
    bool FeeWaived,
    DateTimeOffset PlacedAt,
    DateOnly? EndedOn = null,
    string? EndReason = null,
    DateTimeOffset? EndedAt = null);

/// <summary>The vetted person who shadows the interim manager.</summary>
public sealed record ShadowManager(Guid? CandidateId, string Name);

/// <summary>A progress review with the client, the interim manager and the shadow manager.</summary>
/// <param name="Attendees">Who attended: client, interim-manager, shadow-manager.</param>
/// <param name="Ratings">For example clientSatisfaction, progress: 1–5.</param>
public sealed record ProgressReview(Guid Id, DateOnly HeldOn, IReadOnlyList<string> Attendees, IReadOnlyDictionary<string, int> Ratings, string? Notes, string RecordedBy, DateTimeOffset RecordedAt);
