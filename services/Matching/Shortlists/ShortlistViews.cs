using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Matching.Ranking;

namespace InterimPlatform.Matching.Shortlists;

/// <summary>A candidate on a shortlist as a recruiter sees it.</summary>
/// <param name="Position">Place on the shortlist after overrides (pinned candidates first).</param>
/// <param name="Rank">Matching's rank; null for a candidate added by hand.</param>
/// <param name="Exclusion">For a candidate added by hand: the hard filter Matching would have removed them with.</param>
public sealed record ShortlistCandidateView(
    int Position,
    int? Rank,
    Guid CandidateId,
    string? FullName,
    decimal Score,
    IReadOnlyList<string> Flags,
    bool Pinned,
    string? Exclusion,
    IReadOnlyList<CriterionScore> Criteria);

/// <summary>A recruiter's override: pin or remove a candidate, with the reason.</summary>
public sealed record OverrideView(Guid Id, Guid CandidateId, string Action, string Reason, string Actor, DateTimeOffset At);

/// <summary>A stored shortlist with the recruiters' overrides applied.</summary>
public sealed record ShortlistView(
    Guid Id,
    string Kind,
    Guid? EngagementId,
    DateTimeOffset CreatedAt,
    string RequestedBy,
    string WeightsVersion,
    int Considered,
    int Eligible,
    IReadOnlyDictionary<string, int> FilteredOut,
    IReadOnlyList<ShortlistCandidateView> Candidates,
    IReadOnlyList<OverrideView> Overrides);

/// <summary>One line of a list of shortlists.</summary>
public sealed record ShortlistSummary(Guid Id, string Kind, Guid? EngagementId, DateTimeOffset CreatedAt, string RequestedBy, string WeightsVersion, int Candidates, int Overrides);

/// <summary>A page of shortlists, newest first.</summary>
public sealed record ShortlistPage(int Total, int Skip, int Take, IReadOnlyList<ShortlistSummary> Items);

/// <summary>
/// Everything needed to account for a shortlist: the inputs, the weights (version and values), what the
/// filters removed, the candidates exactly as ranked, and every override in order.
/// </summary>
public sealed record ShortlistAudit(
    Guid Id,
    string Kind,
    Guid? EngagementId,
    Guid? RequestId,
    string RequestedBy,
    DateTimeOffset CreatedAt,
    DateOnly RankedFor,
    MatchBrief Brief,
    int Top,
    bool IncludeCandidatesInVetting,
    IReadOnlyList<Guid> ExcludedCandidateIds,
    string WeightsVersion,
    CriterionWeights Weights,
    int Considered,
    int Eligible,
    IReadOnlyDictionary<string, int> FilteredOut,
    IReadOnlyList<ShortlistCandidateView> RankedCandidates,
    IReadOnlyList<OverrideView> Overrides);

internal static class ShortlistViews
{
    public static ShortlistView View(Shortlist s)
    {
        // The latest override per candidate is in force.
        var decisions = s.Overrides.OrderBy(o => o.At).ThenBy(o => o.Id).GroupBy(o => o.CandidateId).ToDictionary(g => g.Key, g => g.Last().Action);
        var shown = s.Entries
            .Where(e => decisions.GetValueOrDefault(e.CandidateId) != ShortlistOverride.Remove)
            .Where(e => e.Rank is not null || decisions.GetValueOrDefault(e.CandidateId) == ShortlistOverride.Pin)
            .OrderBy(e => decisions.GetValueOrDefault(e.CandidateId) == ShortlistOverride.Pin ? 0 : 1)
            .ThenBy(e => e.Rank ?? int.MaxValue)
            .Select((e, i) => Candidate(e, i + 1, decisions.GetValueOrDefault(e.CandidateId) == ShortlistOverride.Pin))
            .ToList();
        return new ShortlistView(s.Id, s.Kind, s.EngagementId, s.CreatedAt, s.RequestedBy, s.WeightsVersion, s.Considered, s.Eligible, s.FilteredOut, shown, Overrides(s));
    }

    public static ShortlistAudit Audit(Shortlist s) => new(
        s.Id, s.Kind, s.EngagementId, s.RequestId, s.RequestedBy, s.CreatedAt, s.RankedFor, s.Brief, s.Top, s.IncludeCandidatesInVetting,
        s.ExcludedCandidateIds, s.WeightsVersion, s.Weights, s.Considered, s.Eligible, s.FilteredOut,
        [.. s.Entries.Where(e => e.Rank is not null).OrderBy(e => e.Rank).Select(e => Candidate(e, e.Rank!.Value, pinned: false))],
        Overrides(s));

    public static ShortlistSummary Summary(Shortlist s) =>
        new(s.Id, s.Kind, s.EngagementId, s.CreatedAt, s.RequestedBy, s.WeightsVersion, s.Entries.Count(e => e.Rank is not null), s.Overrides.Count);

    public static OverrideView Override(ShortlistOverride o) => new(o.Id, o.CandidateId, o.Action, o.Reason, o.Actor, o.At);

    private static IReadOnlyList<OverrideView> Overrides(Shortlist s) => [.. s.Overrides.OrderBy(o => o.At).ThenBy(o => o.Id).Select(Override)];

    private static ShortlistCandidateView Candidate(ShortlistEntry e, int position, bool pinned) =>
        new(position, e.Rank, e.CandidateId, e.FullName, e.Score, e.Flags, pinned, e.Exclusion, e.Criteria);
}
