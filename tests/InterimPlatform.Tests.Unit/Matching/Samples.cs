using System.Text.Json;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Matching.Ranking;

namespace InterimPlatform.Tests.Unit.Matching;

/// <summary>A candidate as Matching holds them: what Candidates' and Engagements' events carried.</summary>
internal sealed record PoolMember(
    Guid Id,
    CandidateProfile Profile,
    CandidateAvailability Availability,
    CandidateVetting Vetting,
    IReadOnlyList<Placement> Placements)
{
    public PoolMember Profiled(Func<CandidateProfile, CandidateProfile> change) => this with { Profile = change(Profile) };

    public PoolMember Available(Func<CandidateAvailability, CandidateAvailability> change) => this with { Availability = change(Availability) };

    public PoolMember Vetted(string status, DateOnly? approvedUntil = null) => this with { Vetting = new CandidateVetting(status, approvedUntil) };

    public PoolMember PlacedOn(Guid engagementId, DateOnly first, DateOnly last) => this with { Placements = [.. Placements, new Placement(engagementId, first, last)] };

    public void AddTo(CandidateIndex index) => index.Upsert(Id, Profile, Availability, Vetting, Placements);

    public override string ToString() => JsonSerializer.Serialize(this);
}

/// <summary>Hand-made candidates and briefs: a candidate who fits the default brief fully wherever that is possible.</summary>
internal static class Samples
{
    public static readonly DateOnly Today = new(2026, 11, 23);

    /// <summary>Two weeks after <see cref="Today"/>; the default brief runs 12 weeks (84 days) from here.</summary>
    public static readonly DateOnly Start = new(2026, 12, 7);

    public static readonly Guid Engagement = Guid.Parse("6f1c2b0e-0d4a-4c55-9a57-3b1d8e2f4a10");

    private static int _next;

    public static Guid NewId() => new(0x5a000000 + Interlocked.Increment(ref _next), 0, 0, new byte[8]);

    public static PoolMember Candidate(Guid? id = null) => new(
        id ?? NewId(),
        new CandidateProfile(
            "Astrid Berg", "DE", "Hamburg",
            RemotePossible: false, WillingToTravel: false, WillingToRelocate: false,
            Languages: [new LanguageSkill("de", "native")],
            Levels: ["senior-management"],
            Disciplines: ["finance"],
            Industries: ["manufacturing"],
            Skills: ["sap"],
            EngagementTypes: ["project-leadership"],
            TrackRecord: [],
            DayRate: 1200m,
            Currency: "EUR"),
        new CandidateAvailability(null, null, 0, 5),
        new CandidateVetting("approved", new DateOnly(2027, 6, 30)),
        []);

    /// <summary>Project leadership (30 days' tolerance), senior management in finance, nothing optional asked for.</summary>
    public static MatchBrief Brief() => new(
        "project-leadership", "senior-management", "finance",
        Industry: null, Country: null, RemotePossible: false,
        Languages: [], MustHaveSkills: [], NiceToHaveSkills: [],
        StartDate: Start, DurationWeeks: 12, DaysPerWeek: 5, Budget: null);

    public static RankingRequest Request(MatchBrief brief, bool includeInVetting = false, IReadOnlyCollection<Guid>? excluded = null, Guid? engagementId = null, int top = 20) =>
        new(brief, top, excluded ?? [], includeInVetting, engagementId ?? Engagement, Today);

    public static PastAssignment Assignment(string type, string sector, string outcome, int? rating = null) =>
        new(sector, "Interim CFO", type, "senior-management", 9, outcome, rating, new DateOnly(2025, 6, 30));

    public static CandidateIndex Index(params PoolMember[] members) => Index(RankingWeights.Standard, members);

    public static CandidateIndex Index(RankingWeights weights, IEnumerable<PoolMember> members)
    {
        var index = new CandidateIndex(weights);
        foreach (var member in members)
        {
            member.AddTo(index);
        }

        return index;
    }

    /// <summary>The candidate against the brief, whether or not a hard filter removes them.</summary>
    public static CandidateAssessment Assess(PoolMember member, RankingRequest request) =>
        Index(member).Assess(member.Id, request) ?? throw new InvalidOperationException("The candidate is not in the index.");

    public static CandidateAssessment Assess(PoolMember member, MatchBrief brief) => Assess(member, Request(brief));

    /// <summary>The points of one criterion; fails when the criterion is not listed (does not apply).</summary>
    public static int Points(PoolMember member, MatchBrief brief, string criterion) =>
        Assert.Single(Assess(member, brief).Candidate.Criteria, c => c.Criterion == criterion).Points;

    public static string Evidence(PoolMember member, MatchBrief brief, string criterion) =>
        Assert.Single(Assess(member, brief).Candidate.Criteria, c => c.Criterion == criterion).Evidence;

    public static IReadOnlyList<string> Listed(PoolMember member, MatchBrief brief) =>
        [.. Assess(member, brief).Candidate.Criteria.Select(c => c.Criterion)];
}
