namespace InterimPlatform.Contracts.Matching.V1;

// Matching's contracts, version 1: the brief it ranks against, the request Engagements sends, and the
// shortlist it answers with. Vocabulary values are those of docs/candidates.md; the ranking rules are
// in docs/matching.md.

/// <summary>A language the role needs, at least at the given level.</summary>
/// <param name="Code">ISO 639-1 code, for example "de".</param>
/// <param name="MinimumLevel">native, fluent, professional or basic.</param>
public sealed record LanguageRequirement(string Code, string MinimumLevel);

/// <summary>The client's day-rate budget.</summary>
public sealed record DayRateBudget(decimal Min, decimal Max, string Currency);

/// <summary>What a brief asks for: everything Matching ranks the pool against.</summary>
/// <param name="EngagementType">gap-cover, project-leadership, transformation, change, crisis or expertise; picks the weights.</param>
/// <param name="Level">The role's level: executive, senior-management, middle-management or project-lead.</param>
/// <param name="Discipline">For example "finance".</param>
/// <param name="Industry">Free text, for example "manufacturing"; null when any industry will do.</param>
/// <param name="Country">ISO 3166-1 alpha-2 country of the engagement; null when anywhere.</param>
/// <param name="RemotePossible">Whether the role can be done remotely.</param>
/// <param name="Languages">Languages the role needs (a hard filter on the minimum level).</param>
/// <param name="MustHaveSkills">Skills every shortlisted candidate has (a hard filter).</param>
/// <param name="NiceToHaveSkills">Skills that count in a candidate's favour.</param>
/// <param name="StartDate">The wanted start.</param>
/// <param name="DurationWeeks">The expected duration.</param>
/// <param name="DaysPerWeek">Days a week the role needs (1–7).</param>
/// <param name="Budget">The day-rate budget; null when not stated.</param>
public sealed record MatchBrief(
    string EngagementType,
    string Level,
    string Discipline,
    string? Industry,
    string? Country,
    bool RemotePossible,
    IReadOnlyList<LanguageRequirement> Languages,
    IReadOnlyList<string> MustHaveSkills,
    IReadOnlyList<string> NiceToHaveSkills,
    DateOnly StartDate,
    int DurationWeeks,
    int DaysPerWeek,
    DayRateBudget? Budget);

/// <summary>Engagements asks Matching for a shortlist for one of its engagements.</summary>
/// <param name="RequestId">Unique per request; a repeated request yields the same shortlist.</param>
/// <param name="ExcludedCandidateIds">Candidates never to shortlist for this engagement (for example the interim being replaced).</param>
/// <param name="IncludeCandidatesInVetting">Also rank candidates still in vetting (flagged as such).</param>
public sealed record MatchRequested(
    Guid RequestId,
    Guid EngagementId,
    MatchBrief Brief,
    int Top,
    IReadOnlyList<Guid> ExcludedCandidateIds,
    bool IncludeCandidatesInVetting,
    string RequestedBy,
    DateTimeOffset RequestedAt);

/// <summary>One criterion of a candidate's score: its weight, the points (0–1000) and why.</summary>
public sealed record CriterionScore(string Criterion, int Weight, int Points, string Evidence);

/// <summary>A ranked candidate and the explanation of their score.</summary>
/// <param name="Score">0–100: the weighted points over the criteria that apply to the brief.</param>
/// <param name="Flags">For example "in-vetting" or "re-vetting-due" when candidates in vetting were included.</param>
public sealed record ShortlistedCandidate(
    int Rank,
    Guid CandidateId,
    string? FullName,
    decimal Score,
    IReadOnlyList<string> Flags,
    IReadOnlyList<CriterionScore> Criteria);

/// <summary>Matching's answer to a <see cref="MatchRequested"/>: the ranked, explained shortlist.</summary>
public sealed record ShortlistProduced(
    Guid ShortlistId,
    Guid RequestId,
    Guid EngagementId,
    string WeightsVersion,
    int Considered,
    int Eligible,
    IReadOnlyList<ShortlistedCandidate> Candidates,
    DateTimeOffset ProducedAt);
