using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Matching.Ranking;

namespace InterimPlatform.Tests.Unit.Matching;

/// <summary>Candidates and the requests to rank them for.</summary>
internal sealed record Scenario(List<PoolMember> Pool, List<RankingRequest> Requests);

/// <summary>
/// Seeded random candidates and briefs. Vocabularies are small and candidates' dates cluster around the
/// boundaries of the briefs made before them (start, end, tolerances, the ranking day), so that criteria
/// match often, filters bite at their edges, and totals tie; free text comes in varying case and spacing
/// to exercise normalisation.
/// </summary>
internal sealed class PoolGenerator(int seed)
{
    public static readonly DateOnly Today = new(2026, 11, 23);

    public static readonly string[] Types = ["gap-cover", "project-leadership", "transformation", "change", "crisis", "expertise"];
    private static readonly string[] Levels = ["project-lead", "middle-management", "senior-management", "executive"];
    private static readonly string[] Disciplines = ["finance", "hr", "it", "operations", "supply-chain"];
    private static readonly string[] Industries = ["manufacturing", "Retail", " automotive", "banking ", "PHARMA", "logistics"];
    private static readonly string[] Skills = ["sap", "ERP migration", "lean ", "ifrs", "M&A", "carve-out", "treasury", " scrum", "pricing", "crm"];
    private static readonly string[] Countries = ["DE", "AT", "CH", "se", " NL", "GB"];
    private static readonly string[] LanguageCodes = ["de", "en", "FR", "sv", " nl"];
    private static readonly string[] LanguageLevels = ["basic", "professional", "fluent", "native"];
    private static readonly string[] Statuses = ["approved", "approved", "approved", "approved", "approved", "approved", "approved", "approved", "sourced", "screened", "interviewed", "references-checked", "rejected", "suspended", "on-hold"];
    private static readonly string[] Outcomes = ["exceeded", "achieved", "partly-achieved", "not-achieved", "ended-early", "unknown"];

    /// <summary>Engagements the generated placements and requests share, so "the engagement being shortlisted" occurs.</summary>
    private static readonly Guid[] Engagements = [.. Enumerable.Range(1, 4).Select(i => new Guid(i, 0x0e, 0, new byte[8]))];

    private readonly Random _random = new(seed);

    /// <summary>The boundary days of the requests made so far.</summary>
    private readonly List<DateOnly> _days = [];

    public int Seed { get; } = seed;

    public Scenario Scenario(int candidates, int requests)
    {
        var briefs = Enumerable.Range(0, requests).Select(_ => Request()).ToList();
        var pool = Enumerable.Range(0, candidates).Select(_ => Candidate()).ToList();
        return new Scenario(pool, [.. briefs.Select(r => Excluding(r, pool))]);
    }

    public Guid Id()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        return new Guid(bytes);
    }

    public PoolMember Candidate()
    {
        var rate = Chance(0.1) ? (decimal?)null : _random.Next(60_000, 250_000) / 100m;
        var currency = Pick<string?>(["EUR", "EUR", "EUR", "eur ", "GBP", "CHF", "SEK", "USD", "JPY", null]);
        if (currency is "SEK" or "JPY")
        {
            rate *= currency == "SEK" ? 11 : 160;
        }

        var profile = new CandidateProfile(
            "Candidate", Pick(Countries), null,
            RemotePossible: Chance(0.4), WillingToTravel: Chance(0.4), WillingToRelocate: Chance(0.3),
            Languages: [.. Some(LanguageCodes, 1, 3).Select(code => new LanguageSkill(code, Pick(LanguageLevels)))],
            Levels: Some(Levels, 0, 2),
            Disciplines: Some(Disciplines, 1, 2),
            Industries: Some(Industries, 0, 2),
            Skills: Some(Skills, 0, 5),
            EngagementTypes: Some(Types, 0, 3),
            TrackRecord: [.. Enumerable.Range(0, _random.Next(0, 6)).Select(_ => Assignment())],
            DayRate: rate,
            Currency: rate is null ? null : currency);
        return new PoolMember(Id(), profile, Availability(), Vetting(), Placements());
    }

    public PastAssignment Assignment() => new(
        Pick(Industries), "Interim", Chance(0.05) ? "other" : Pick(Types), Pick(Levels), 6, Pick(Outcomes),
        Chance(0.4) ? null : _random.Next(1, 6), null);

    public RankingRequest Request()
    {
        var today = Today.AddDays(_random.Next(0, 8));
        var brief = new MatchBrief(
            Pick(Types), Pick(Levels), Pick(Disciplines),
            Industry: Chance(0.5) ? null : Pick(Industries).ToUpperInvariant(),
            Country: Chance(0.4) ? null : Pick(Countries).ToLowerInvariant(),
            RemotePossible: Chance(0.5),
            Languages: [.. Some(LanguageCodes, 0, 2).Select(code => new LanguageRequirement(code.ToUpperInvariant(), Pick<string>(["basic", "basic", "professional", "fluent"])))],
            MustHaveSkills: Chance(0.6) ? [] : Some(Skills, 1, 1),
            NiceToHaveSkills: Some(Skills, 0, 5),
            StartDate: today.AddDays(_random.Next(-3, 40)),
            DurationWeeks: _random.Next(1, 27),
            DaysPerWeek: _random.Next(1, 6),
            Budget: Chance(0.3) ? null : Budget());
        var start = brief.StartDate;
        var end = start.AddDays(7 * brief.DurationWeeks);
        _days.AddRange([today.AddDays(-1), today, start, start.AddDays(14), start.AddDays(30), start.AddDays(45), end.AddDays(-1), end]);
        return new RankingRequest(brief, 20, [], Chance(0.3), Chance(0.2) ? null : Pick(Engagements), today);
    }

    /// <summary>The request, excluding a few candidates of the pool.</summary>
    public RankingRequest Excluding(RankingRequest request, IReadOnlyList<PoolMember> pool) =>
        request with { ExcludedCandidateIds = [.. Enumerable.Range(0, _random.Next(0, 4)).Select(_ => Pick(pool).Id)] };

    /// <summary>A weight set of its own: random weights (zeros included), a Default used by some types, a different tolerance.</summary>
    public RankingWeights Weights()
    {
        CriterionWeights Set() => new()
        {
            Availability = _random.Next(1, 40),
            Level = _random.Next(0, 40),
            Discipline = _random.Next(0, 40),
            Industry = _random.Next(0, 40),
            Skills = _random.Next(0, 40),
            EngagementType = _random.Next(0, 40),
            Location = _random.Next(0, 40),
            Languages = _random.Next(0, 40),
            DayRate = _random.Next(0, 40),
            TrackRecord = _random.Next(0, 40),
            AvailabilityToleranceDays = _random.Next(1, 60),
        };

        return new RankingWeights
        {
            Version = $"generated-{Seed}",
            Default = Set(),
            EngagementTypes = new() { ["crisis"] = Set(), ["transformation"] = Set() },
            EurPerUnit = new() { ["EUR"] = 1m, ["GBP"] = 1.171234m, ["CHF"] = 1.0567m, ["USD"] = 0.92m },
        };
    }

    public bool Chance(double probability) => _random.NextDouble() < probability;

    public int Next(int from, int to) => _random.Next(from, to);

    public T Pick<T>(IReadOnlyList<T> values) => values[_random.Next(values.Count)];

    /// <summary>Between min and max distinct values.</summary>
    public string[] Some(IReadOnlyList<string> values, int min, int max) =>
        [.. values.OrderBy(_ => _random.Next()).Take(_random.Next(min, max + 1))];

    private DayRateBudget Budget()
    {
        var currency = Pick<string>(["EUR", "EUR", "eur", "GBP", "CHF", "SEK", "JPY"]);
        var max = _random.Next(80_000, 200_000) / 100m * (currency == "SEK" ? 11 : currency == "JPY" ? 160 : 1);
        return new DayRateBudget(Math.Round(max / 2, 2), max, currency);
    }

    /// <summary>Mostly a day next to a boundary of the requests made so far, else anywhere from <paramref name="from"/> on.</summary>
    private DateOnly Day(int from, int to) =>
        _days.Count > 0 && Chance(0.7) ? Pick(_days).AddDays(_random.Next(-1, 2)) : Today.AddDays(_random.Next(from, to));

    private CandidateAvailability Availability() => new(
        Chance(0.5) ? null : Day(-30, 60),
        Chance(0.6) ? null : Day(0, 250),
        Chance(0.3) ? Math.Max(0, Day(0, 60).DayNumber - Today.DayNumber) : Pick<int>([0, 0, 0, 7, 14, 30, 45]),
        Pick<int>([5, 5, 5, 4, 3, 2, 1]));

    private CandidateVetting Vetting()
    {
        var status = Pick(Statuses);
        return new CandidateVetting(status, status == "approved" && Chance(0.6) ? Day(-10, 300) : null);
    }

    private List<Placement> Placements() =>
        [.. Enumerable.Range(0, Chance(0.8) ? 0 : _random.Next(1, 3)).Select(_ =>
        {
            var first = Day(-60, 220);
            var last = Chance(0.5) ? Day(-60, 220) : first.AddDays(_random.Next(0, 120));
            return new Placement(Pick(Engagements), first, last < first ? first : last);
        })];
}
