using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Matching.Ranking;

namespace InterimPlatform.Matching.Shortlists;

/// <summary>
/// A ranking as it was produced, kept for accountability: the brief and the other inputs, the weights
/// (version and values), how many candidates were considered and filtered out, the ranked candidates
/// with their explanations, and every human override made afterwards.
/// </summary>
public sealed class Shortlist
{
    public const string AdHoc = "ad-hoc";
    public const string ForEngagement = "engagement";

    public Guid Id { get; init; }

    /// <summary><see cref="AdHoc"/> (a recruiter trying a brief) or <see cref="ForEngagement"/> (asked for by Engagements).</summary>
    public string Kind { get; init; } = AdHoc;

    public Guid? EngagementId { get; init; }

    /// <summary>Engagements' request id: a repeated request returns the stored shortlist.</summary>
    public Guid? RequestId { get; init; }

    public required MatchBrief Brief { get; init; }

    public int Top { get; init; }

    public bool IncludeCandidatesInVetting { get; init; }

    public List<Guid> ExcludedCandidateIds { get; init; } = [];

    /// <summary>The day the ranking was for (vetting expiry and notice periods count from it).</summary>
    public DateOnly RankedFor { get; init; }

    public required string WeightsVersion { get; init; }

    public required CriterionWeights Weights { get; init; }

    public int Considered { get; init; }

    public int Eligible { get; init; }

    public Dictionary<string, int> FilteredOut { get; init; } = [];

    public required string RequestedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public List<ShortlistEntry> Entries { get; init; } = [];

    public List<ShortlistOverride> Overrides { get; init; } = [];
}

/// <summary>A candidate on a shortlist: ranked by Matching, or added by hand (no rank).</summary>
public sealed class ShortlistEntry
{
    public Guid ShortlistId { get; init; }

    public Guid CandidateId { get; init; }

    /// <summary>Matching's rank; null for a candidate a recruiter added by hand.</summary>
    public int? Rank { get; init; }

    /// <summary>Null once the candidate was erased.</summary>
    public string? FullName { get; set; }

    public decimal Score { get; init; }

    public List<string> Flags { get; init; } = [];

    /// <summary>Per criterion: weight, points and evidence (the evidence is dropped when the candidate is erased).</summary>
    public List<CriterionScore> Criteria { get; set; } = [];

    /// <summary>For a candidate added by hand whom the hard filters would have removed: which filter.</summary>
    public string? Exclusion { get; init; }

    public bool Erased { get; set; }
}

/// <summary>A recruiter's decision about a candidate on a shortlist: who, when, what and why.</summary>
public sealed class ShortlistOverride
{
    public const string Pin = "pin";
    public const string Remove = "remove";

    public Guid Id { get; init; }

    public Guid ShortlistId { get; init; }

    public Guid CandidateId { get; init; }

    /// <summary><see cref="Pin"/> (keep at the top, adding them if Matching did not rank them) or <see cref="Remove"/>.</summary>
    public required string Action { get; init; }

    public required string Reason { get; set; }

    public required string Actor { get; init; }

    public DateTimeOffset At { get; init; }
}
