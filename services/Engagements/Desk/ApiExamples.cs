using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Engagements.Clients;
using InterimPlatform.Engagements.Placement;
using InterimPlatform.Engagements.Shortlisting;

namespace InterimPlatform.Engagements.Desk;

/// <summary>The worked examples of the OpenAPI document, made for the day it is generated so that each is accepted as it stands.</summary>
internal static class ApiExamples
{
    private static readonly Guid Client = Guid.Parse("0193f1a2-0000-7000-8000-00000000c11e");
    private static readonly Guid Sponsor = Guid.Parse("0193f1a2-0000-7000-8000-0000000005a0");
    private static readonly Guid Candidate = Guid.Parse("0193f1a2-7c4e-7d2a-9b1e-3f5c2a8d4e61");

    /// <summary>A brief for an engagement starting in about five weeks.</summary>
    public static MatchBrief Brief(DateOnly today) => new(
        "crisis", "senior-management", "finance", "food", "SE", false,
        [new LanguageRequirement("sv", "professional"), new LanguageRequirement("en", "fluent")],
        ["restructuring"], ["ifrs", "cash management", "erp migration"],
        StartOf(today), 26, 5, new DayRateBudget(1200, 1600, "EUR"));

    private static DateOnly StartOf(DateOnly today) => today.AddDays(39);

    public static IReadOnlyDictionary<Type, object> For(DateOnly today) => new Dictionary<Type, object>
    {
        [typeof(ClientRequest)] = new ClientRequest("Nordic Foods AB", "food"),
        [typeof(ContactRequest)] = new ContactRequest("Karin Lund", "CEO", "karin.lund@nordicfoods.example", "+46 8 123 456 00", HasAuthority: true),
        [typeof(EngagementRequest)] = new EngagementRequest(Client, "Interim CFO during the ERP migration", Brief(today),
            "Our CFO left suddenly in the middle of an ERP migration; the bank wants a 13-week cash forecast by February.", Sponsor,
            "Hand over to the permanent CFO (search under way) with a two-week overlap; documented close process."),
        [typeof(TransitionRequest)] = new TransitionRequest("intake", "Situation analysis with the CEO on Monday"),
        [typeof(ShortlistingRequest)] = new ShortlistingRequest("Brief agreed with the sponsor"),
        [typeof(ShortlistChange)] = new ShortlistChange(Candidate, "add", "Worked for the client before; the CEO asked for her."),
        [typeof(ProposalRequest)] = new ProposalRequest([Candidate]),
        [typeof(DecisionRequest)] = new DecisionRequest("declined", "Wants someone with Swedish listed-company experience."),
        [typeof(PlacementRequest)] = new PlacementRequest(Candidate, StartOf(today), StartOf(today).AddDays(179), 1450m, "EUR"),
        [typeof(ActivationRequest)] = new ActivationRequest(new Desk.ShadowManager(null, "Erik Holm"), 4),
        [typeof(DiagnosticRequest)] = new DiagnosticRequest("Cash position weaker than reported; month-end close takes 15 days; ERP cut-over plan unrealistic."),
        [typeof(ReviewRequest)] = new ReviewRequest(today.AddDays(-3), ["client", "interim-manager", "shadow-manager"], new() { ["clientSatisfaction"] = 4, ["progress"] = 4 }, "Cash forecast delivered; close down to 9 days."),
        [typeof(ReplacementRequest)] = new ReplacementRequest("The client needs someone with more hands-on ERP experience."),
        [typeof(CompletionRequest)] = new CompletionRequest("achieved", 5, "Handed over to the new CFO on 2 July."),
    };
}
