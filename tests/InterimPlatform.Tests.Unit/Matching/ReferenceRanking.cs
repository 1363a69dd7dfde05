using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Matching.Ranking;

namespace InterimPlatform.Tests.Unit.Matching;

/// <summary>One criterion of a reference score: its weight and points.</summary>
internal sealed record ReferencePoints(string Criterion, int Weight, int Points);

internal sealed record ReferenceScore(Guid CandidateId, long Total, decimal Score, IReadOnlyList<string> Flags, IReadOnlyList<ReferencePoints> Criteria);

internal sealed record ReferenceOutcome(int Considered, int Eligible, IReadOnlyDictionary<string, int> FilteredOut, IReadOnlyList<ReferenceScore> Top);

/// <summary>
/// docs/matching.md written out as plainly as possible, over the event contracts' strings and dates, to
/// check the index against: it sorts the whole pool instead of keeping a heap, and compares values instead
/// of interned ids and bit sets. Deliberately independent of the engine's code.
/// </summary>
internal static class ReferenceRanking
{
    private static readonly string[] Ladder = ["project-lead", "middle-management", "senior-management", "executive"];
    private static readonly string[] InVetting = ["sourced", "screened", "interviewed", "references-checked"];
    private static readonly Dictionary<string, int> LanguageRank = new() { ["basic"] = 1, ["professional"] = 2, ["fluent"] = 3, ["native"] = 4 };
    private static readonly Dictionary<int, int> LanguagePoints = new() { [0] = 0, [1] = 400, [2] = 700, [3] = 900, [4] = 1000 };
    private static readonly Dictionary<string, int> OutcomePoints = new() { ["exceeded"] = 1000, ["achieved"] = 850, ["partly-achieved"] = 500, ["not-achieved"] = 150, ["ended-early"] = 0 };

    public static ReferenceOutcome Rank(IReadOnlyCollection<PoolMember> pool, RankingRequest request, RankingWeights weights)
    {
        var verdicts = pool.Select(m => (Member: m, Exclusion: Exclusion(m, request, out var flags), Flags: flags)).ToList();
        var eligible = verdicts.Where(v => v.Exclusion is null).Select(v => Score(v.Member, request, weights, v.Flags)).ToList();
        return new ReferenceOutcome(
            pool.Count,
            eligible.Count,
            verdicts.Where(v => v.Exclusion is not null).GroupBy(v => v.Exclusion!).ToDictionary(g => g.Key, g => g.Count()),
            [.. eligible.OrderByDescending(s => s.Total).ThenBy(s => PostgresUuidOrder(s.CandidateId), StringComparer.Ordinal).Take(request.Top)]);
    }

    /// <summary>PostgreSQL compares uuids byte by byte in their written order: the order of their hex text.</summary>
    public static string PostgresUuidOrder(Guid id) => id.ToString("N");

    public static string? Exclusion(PoolMember m, RankingRequest request, out IReadOnlyList<string> flags)
    {
        flags = [];
        var brief = request.Brief;
        var status = m.Vetting.Status;
        if (request.ExcludedCandidateIds.Contains(m.Id))
        {
            return "excluded";
        }

        if (status != "approved" && !InVetting.Contains(status))
        {
            return "vetting-rejected-or-suspended";
        }

        if (InVetting.Contains(status))
        {
            if (!request.IncludeCandidatesInVetting)
            {
                return "not-vetted";
            }

            flags = ["in-vetting"];
        }

        if (status == "approved" && m.Vetting.ApprovedUntil < request.Today)
        {
            if (!request.IncludeCandidatesInVetting)
            {
                return "vetting-expired";
            }

            flags = ["re-vetting-due"];
        }

        var end = brief.StartDate.AddDays(7 * brief.DurationWeeks);
        if (m.Placements.Any(p => p.EngagementId != request.EngagementId && p.FirstDay <= end.AddDays(-1) && p.LastDay >= brief.StartDate))
        {
            return "placed-elsewhere";
        }

        var skills = m.Profile.Skills.Select(Lower).ToList();
        if (brief.MustHaveSkills.Select(Lower).Any(s => !skills.Contains(s)))
        {
            return "missing-must-have-skills";
        }

        if (brief.Languages.Any(l => Spoken(m, l.Code) < LanguageRank[l.MinimumLevel]))
        {
            return "missing-languages";
        }

        return null;
    }

    public static ReferenceScore Score(PoolMember m, RankingRequest request, RankingWeights weights, IReadOnlyList<string> flags)
    {
        var brief = request.Brief;
        var set = weights.EngagementTypes.TryGetValue(brief.EngagementType, out var own) ? own : weights.Default;
        var nice = brief.NiceToHaveSkills.Select(Lower).Where(s => s != "").Distinct().ToList();
        var criteria = new List<ReferencePoints>
        {
            new("availability", set.Availability, Availability(m, request, set.AvailabilityToleranceDays)),
            new("level", set.Level, Level(m, brief)),
            new("discipline", set.Discipline, m.Profile.Disciplines.Contains(brief.Discipline) ? 1000 : 0),
        };
        if (!string.IsNullOrWhiteSpace(brief.Industry))
        {
            criteria.Add(new("industry", set.Industry, Industry(m, Lower(brief.Industry))));
        }

        if (nice.Count > 0)
        {
            criteria.Add(new("skills", set.Skills, nice.Count(s => m.Profile.Skills.Select(Lower).Contains(s)) * 1000 / nice.Count));
        }

        criteria.Add(new("engagement-type", set.EngagementType, EngagementType(m, brief)));
        if (!string.IsNullOrWhiteSpace(brief.Country))
        {
            criteria.Add(new("location", set.Location, Location(m, brief)));
        }

        if (brief.Languages.Count > 0)
        {
            criteria.Add(new("languages", set.Languages, brief.Languages.Sum(l => LanguagePoints[Spoken(m, l.Code)]) / brief.Languages.Count));
        }

        if (brief.Budget is { } budget)
        {
            criteria.Add(new("day-rate", set.DayRate, DayRate(m, budget, weights)));
        }

        criteria.Add(new("track-record", set.TrackRecord, TrackRecord(m, brief)));
        var total = criteria.Sum(c => (long)c.Weight * c.Points);
        var weightSum = criteria.Sum(c => c.Weight);
        return new ReferenceScore(m.Id, total, Math.Round((decimal)total / weightSum / 10, 2, MidpointRounding.AwayFromZero), flags, criteria);
    }

    private static int Availability(PoolMember m, RankingRequest request, int tolerance)
    {
        var brief = request.Brief;
        var a = m.Availability;
        var today = request.Today.DayNumber;
        var start = brief.StartDate.DayNumber;
        var end = start + 7 * brief.DurationWeeks;
        var earliest = Math.Max(a.AvailableFrom?.DayNumber ?? today, today + a.NoticeDays);
        var late = Math.Max(0, earliest - start);
        var timing = late >= tolerance ? 0 : 1000 - late * 1000 / tolerance;
        var coverage = a.AvailableUntil is not { } until || until.DayNumber >= end - 1
            ? 1000
            : Math.Min(1000, Math.Max(0, until.DayNumber - Math.Max(start, earliest) + 1) * 1000 / (end - start));
        var share = Math.Min(a.DaysPerWeek, brief.DaysPerWeek) * 1000 / brief.DaysPerWeek;
        return timing * coverage / 1000 * share / 1000;
    }

    private static int Level(PoolMember m, MatchBrief brief)
    {
        var role = Array.IndexOf(Ladder, brief.Level);
        return m.Profile.Levels
            .Where(Ladder.Contains)
            .Select(l => (Array.IndexOf(Ladder, l) - role) switch
            {
                0 or 1 => 1000,
                2 => 700,
                3 => 500,
                -1 => 300,
                _ => 0,
            })
            .DefaultIfEmpty(0)
            .Max();
    }

    private static int Industry(PoolMember m, string industry) =>
        m.Profile.Industries.Select(Lower).Contains(industry) ? 1000
        : m.Profile.TrackRecord.Any(a => Lower(a.Sector) == industry) ? 700
        : 0;

    private static int EngagementType(PoolMember m, MatchBrief brief) =>
        m.Profile.TrackRecord.Count(a => a.EngagementType == brief.EngagementType) switch
        {
            >= 2 => 1000,
            1 => 800,
            _ => m.Profile.EngagementTypes.Contains(brief.EngagementType) ? 500 : 0,
        };

    private static int Location(PoolMember m, MatchBrief brief) =>
        Upper(m.Profile.Country) == Upper(brief.Country!) ? 1000
        : brief.RemotePossible && m.Profile.RemotePossible ? 800
        : m.Profile.WillingToRelocate ? 600
        : m.Profile.WillingToTravel ? 400
        : 0;

    private static int DayRate(PoolMember m, DayRateBudget budget, RankingWeights weights)
    {
        if (m.Profile.DayRate is not { } rate)
        {
            return 500;
        }

        // The document says round() without a mode; the generated rates have at most two decimals, where modes agree.
        var cents = (long)Math.Round(rate * 100);
        var currency = m.Profile.Currency is null ? null : Upper(m.Profile.Currency);
        var budgetCurrency = Upper(budget.Currency);
        if (currency != budgetCurrency)
        {
            var micros = weights.EurPerUnit.ToDictionary(r => Upper(r.Key), r => (long)Math.Round(r.Value * 1_000_000));
            if (currency is null || !micros.TryGetValue(currency, out var from) || !micros.TryGetValue(budgetCurrency, out var to))
            {
                return 500;
            }

            cents = cents * from / to;
        }

        var max = (long)Math.Round(budget.Max * 100);
        return cents <= max ? 1000
            : 2 * cents >= 3 * max ? 0
            : (int)((3 * max - 2 * cents) * 1000 / max);
    }

    private static int TrackRecord(PoolMember m, MatchBrief brief)
    {
        var industry = string.IsNullOrWhiteSpace(brief.Industry) ? null : Lower(brief.Industry);
        return m.Profile.TrackRecord
            .Where(a => a.EngagementType == brief.EngagementType || Lower(a.Sector) == industry)
            .Select(a => (Outcome: OutcomePoints.GetValueOrDefault(a.Outcome), a.ClientRating))
            .Select(a => a.ClientRating is { } rating ? (a.Outcome + rating * 200) / 2 : a.Outcome)
            .OrderByDescending(v => v)
            .Take(3)
            .Sum() / 3;
    }

    private static int Spoken(PoolMember m, string code) =>
        m.Profile.Languages.Where(l => Lower(l.Code) == Lower(code)).Select(l => LanguageRank.GetValueOrDefault(l.Level)).DefaultIfEmpty(0).Max();

    private static string Lower(string value) => value.Trim().ToLowerInvariant();

    private static string Upper(string value) => value.Trim().ToUpperInvariant();
}
