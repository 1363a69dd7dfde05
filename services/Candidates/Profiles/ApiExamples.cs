using InterimPlatform.Candidates.PartnerIntake;
using InterimPlatform.Candidates.Privacy;
using InterimPlatform.Candidates.Vetting;

namespace InterimPlatform.Candidates.Profiles;

/// <summary>The worked examples of the OpenAPI document, made for the day it is generated so that each is accepted as it stands.</summary>
internal static class ApiExamples
{
    public static CandidateInput Candidate(DateOnly today) => new(
        "Ingrid Solberg",
        "ingrid.solberg@example.no",
        "+47 912 34 567",
        new LocationInput("NO", "Oslo", WillingToTravel: true, WillingToRelocate: false, RemotePossible: true),
        [new LanguageInput("no", "native"), new LanguageInput("en", "fluent")],
        ["executive", "senior-management"],
        ["finance"],
        ["energy", "manufacturing"],
        ["ifrs", "restructuring"],
        ["crisis", "gap-cover"],
        [new AssignmentInput("energy", "Interim CFO", "crisis", "executive", 8, "exceeded", 5, today.AddMonths(-5))],
        new RateInput(1450, "EUR"),
        new AvailabilityInput(today.AddDays(14), null, 14),
        "Finance executive who has led three turnarounds in Nordic energy and manufacturing.",
        new PrivacyInput("consent", today.AddDays(-49), null));

    private static readonly DateTimeOffset TalliesFrom = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    /// <summary>An hour of two partners in 15-minute buckets (<c>?from=2026-11-24T09:00:00Z&amp;to=2026-11-24T10:00:00Z&amp;bucketMinutes=15</c>).</summary>
    public static PartnerIntakeTallyView Tallies { get; } = new(
        TalliesFrom,
        TalliesFrom.AddHours(1),
        15,
        [new PartnerIntakeTotal("globalise", 1180, 12, 9, 2), new PartnerIntakeTotal("nordic-interim", 240, 0, 31, 0)],
        [
            new PartnerIntakeBucket(TalliesFrom, "globalise", 410, 0, 3, 0),
            new PartnerIntakeBucket(TalliesFrom, "nordic-interim", 240, 0, 31, 0),
            new PartnerIntakeBucket(TalliesFrom.AddMinutes(15), "globalise", 770, 12, 6, 2),
        ]);

    public static IReadOnlyDictionary<Type, object> For(DateOnly today) => new Dictionary<Type, object>
    {
        [typeof(CandidateInput)] = Candidate(today),
        [typeof(AvailabilityInput)] = new AvailabilityInput(today.AddDays(43), today.AddDays(393), 30, 4),
        [typeof(VettingTransitionRequest)] = new VettingTransitionRequest(
            "interviewed",
            "Panel interview with two partners",
            InterviewTraits.All.ToDictionary(t => t, _ => 4),
            null),
        [typeof(ErasureRequest)] = new ErasureRequest("art-17-request"),
        [typeof(NoticeSent)] = new NoticeSent(today.AddDays(-13)),
        [typeof(PartnerIntakeTallyView)] = Tallies,
    };
}
