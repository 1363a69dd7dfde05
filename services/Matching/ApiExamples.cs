using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Matching.Shortlists;

namespace InterimPlatform.Matching;

/// <summary>The worked examples of the OpenAPI document, made for the day it is generated so that each is accepted as it stands.</summary>
internal static class ApiExamples
{
    /// <summary>A brief for an engagement starting in four weeks.</summary>
    public static MatchBrief Brief(DateOnly today) => new(
        EngagementType: "crisis",
        Level: "senior-management",
        Discipline: "finance",
        Industry: "manufacturing",
        Country: "DE",
        RemotePossible: false,
        Languages: [new LanguageRequirement("de", "professional")],
        MustHaveSkills: ["restructuring"],
        NiceToHaveSkills: ["ifrs", "cash management", "sap"],
        StartDate: today.AddDays(28),
        DurationWeeks: 26,
        DaysPerWeek: 5,
        Budget: new DayRateBudget(1200, 1600, "EUR"));

    private static readonly Guid Candidate = Guid.Parse("0193f1a2-7c4e-7d2a-9b1e-3f5c2a8d4e61");

    public static IReadOnlyDictionary<Type, object> For(DateOnly today) => new Dictionary<Type, object>
    {
        [typeof(MatchBrief)] = Brief(today),
        [typeof(RankingRequestBody)] = new RankingRequestBody(Brief(today), 20, [], IncludeCandidatesInVetting: false),
        [typeof(IndexView)] = new IndexView(30_000, 4_812, 30_000, 1_140, new DateTimeOffset(2026, 11, 30, 6, 0, 2, TimeSpan.Zero), "2026-11-23.1",
            FollowingChanges: true, NotFollowingSince: null, Reconciliations: 1, LastReconciledAt: new DateTimeOffset(2026, 12, 1, 3, 12, 9, TimeSpan.Zero), IdsDigest: "3f9a51c20be7d418"),
        [typeof(OverrideRequest)] = new OverrideRequest(Candidate, "pin", "Client met her at a conference and asked for her specifically."),
        [typeof(CriterionScore)] = new CriterionScore("availability", 35, 1000, "can start 2026-12-01, in time for the wanted start; available for 100% of the 26 weeks; 5 of 5 days a week (100%)."),
        [typeof(ShortlistCandidateView)] = new ShortlistCandidateView(1, 1, Candidate, "Ingrid Solberg", 91.35m, [], false, null,
        [
            new CriterionScore("availability", 35, 1000, "can start 2026-12-01, in time for the wanted start; available for 100% of the 26 weeks; 5 of 5 days a week (100%)."),
            new CriterionScore("level", 15, 1000, "Role is senior-management; takes executive roles; best fit executive: one level above the role: a good fit (interim managers are often over-qualified)."),
            new CriterionScore("skills", 10, 666, "2 of 3 nice-to-have skills: ifrs, cash management; missing: sap."),
        ]),
    };
}
