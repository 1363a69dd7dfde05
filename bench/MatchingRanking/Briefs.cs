using InterimPlatform.Contracts.Matching.V1;

namespace InterimPlatform.Bench.MatchingRanking;

/// <summary>
/// A brief to rank the pool against. <paramref name="ExcludeTop"/>: exclude the candidates a plain ranking puts
/// first (the interim being replaced, people the client declined), so that the exclusion changes the result.
/// </summary>
internal sealed record BenchBrief(string Name, MatchBrief Brief, bool IncludeCandidatesInVetting = false, int ExcludeTop = 0);

/// <summary>Twenty briefs over every engagement type, as Engagements would send them (free text not normalised).</summary>
internal static class Briefs
{
    public static IReadOnlyList<BenchBrief> All(DateOnly today) =>
    [
        new("gap-cover CFO, DE", Brief("gap-cover", "senior-management", "finance", null, "DE", false,
            [new("de", "fluent")], [], ["IFRS", "Cash Management", "Consolidation"], today.AddDays(14), 26, 5, new(1_200, 1_600, "EUR"))),
        new("gap-cover MD automotive, DE", Brief("gap-cover", "executive", "general-management", " Automotive ", "DE", false,
            [new("de", "fluent")], [], ["Turnaround", "Restructuring", "Lean Management"], today.AddDays(7), 39, 5, new(1_800, 2_200, "EUR"))),
        new("crisis CFO retail, GB", Brief("crisis", "executive", "finance", "Retail", "GB", false,
            [new("en", "fluent")], ["Restructuring"], ["Cash Management", "Refinancing", "Insolvency", "Bank Relations"], today.AddDays(3), 13, 5, new(1_400, 1_800, "GBP"))),
        new("crisis COO, anywhere remote", Brief("crisis", "senior-management", "operations", null, null, true,
            [], [], ["Supply Chain Management", "Crisis Management"], today, 8, 5, null)),
        new("project lead S/4HANA banking, NL", Brief("project-leadership", "middle-management", "it", "Banking", "NL", true,
            [new("en", "professional")], ["SAP S/4HANA"], ["agile", "Scrum ", "Data Migration", "Testing"], today.AddDays(45), 52, 4, new(1_000, 1_300, "EUR"))),
        new("project lead IT, anywhere", Brief("project-leadership", "project-lead", "it", null, null, true,
            [new("en", "professional")], [], ["PRINCE2", "PMP", "Agile", "Jira"], today.AddDays(30), 26, 5, new(700, 900, "EUR"))),
        new("transformation CEO manufacturing, FR", Brief("transformation", "executive", "general-management", "Manufacturing", "FR", false,
            [new("fr", "native"), new("en", "professional")], [], ["Digital Transformation", "Change Management", "Lean Management", "Operating Model"], today.AddDays(60), 78, 4, new(1_800, 2_100, "EUR"))),
        new("transformation HR insurance, CH", Brief("transformation", "senior-management", "hr", "insurance", "CH", false,
            [new("de", "fluent")], [], ["HR Transformation", "Workday", "Works Council Negotiations"], today.AddDays(30), 52, 4, new(1_400, 1_800, "CHF"))),
        new("change HR, SE", Brief("change", "middle-management", "hr", null, "SE", true,
            [new("sv", "fluent"), new("en", "fluent")], [], ["Change Management", "Organisational Design", "Communication"], today.AddDays(21), 26, 3, new(9_000, 12_000, "SEK"))),
        new("change CMO consumer goods, anywhere", Brief("change", "senior-management", "marketing", "Consumer Goods", null, true,
            [], [], ["Brand Management", "Digital Marketing", "CRM"], today.AddDays(14), 20, 3, new(1_100, 1_400, "EUR"))),
        new("expertise GDPR counsel, DE", Brief("expertise", "project-lead", "legal", null, "DE", false,
            [new("de", "fluent")], ["GDPR"], ["Contract Management", "Compliance", "Data Protection"], today.AddDays(10), 12, 2, new(800, 1_000, "EUR"))),
        new("expertise S&OP pharma, CH", Brief("expertise", "middle-management", "supply-chain", "Pharmaceuticals", "CH", false,
            [new("de", "professional"), new("en", "fluent")], [], ["S&OP", "Demand Planning", "SAP APO", "GMP"], today.AddDays(30), 26, 5, new(1_200, 1_500, "CHF"))),
        new("expertise systems engineering, GB", Brief("expertise", "senior-management", "engineering", "Aerospace and Defence", "GB", false,
            [new("en", "native")], [], ["Systems Engineering", "Lean Six Sigma", "Functional Safety"], today.AddDays(40), 40, 5, new(900, 1_100, "GBP"))),
        new("gap-cover procurement, PL", Brief("gap-cover", "middle-management", "procurement", null, "PL", false,
            [new("pl", "native"), new("en", "professional")], [], ["Strategic Sourcing", "Negotiation", "Supplier Management"], today.AddDays(7), 16, 5, new(3_500, 4_500, "PLN"))),
        new("gap-cover sales software, budget USD", Brief("gap-cover", "senior-management", "sales", "software", null, true,
            [new("en", "fluent")], [], ["B2B Sales", "Key Account Management", "Salesforce"], today, 12, 5, new(1_300, 1_600, "USD"))),
        new("project lead Lean Six Sigma logistics, DK", Brief("project-leadership", "senior-management", "process-management", "Logistics", "DK", true,
            [new("en", "fluent")], ["Lean Six Sigma"], ["Process Mining", "BPMN", "Value Stream Mapping"], today.AddDays(60), 30, 4, new(7_000, 9_000, "DKK"))),
        new("crisis CEO, minimal brief", Brief("crisis", "executive", "general-management", null, null, false,
            [], [], [], today, 26, 5, null)),
        new("transformation CFO banking, DE, in vetting too", Brief("transformation", "executive", "finance", "Banking", "DE", false,
            [new("de", "fluent"), new("en", "fluent")], [], ["Basel III", "Restructuring", "Post-Merger Integration", "Treasury"], today.AddDays(90), 104, 5, new(2_000, 2_400, "EUR")),
            IncludeCandidatesInVetting: true, ExcludeTop: 3),
        new("change operations healthcare, NO", Brief("change", "middle-management", "operations", "healthcare", "NO", true,
            [new("no", "professional")], [], ["Change Management", "Quality Management", "Lean Management"], today.AddDays(28), 26, 4, new(9_000, 11_000, "NOK"))),
        new("expertise cloud, in vetting too, unknown skill", Brief("expertise", "project-lead", "it", null, null, true,
            [], ["Kubernetes"], ["Cloud Architecture", "Azure", "quantum annealing"], today.AddDays(14), 10, 3, new(750, 950, "EUR")),
            IncludeCandidatesInVetting: true, ExcludeTop: 2),
    ];

    private static MatchBrief Brief(
        string engagementType,
        string level,
        string discipline,
        string? industry,
        string? country,
        bool remotePossible,
        LanguageRequirement[] languages,
        string[] mustHaveSkills,
        string[] niceToHaveSkills,
        DateOnly startDate,
        int durationWeeks,
        int daysPerWeek,
        DayRateBudget? budget) =>
        new(engagementType, level, discipline, industry, country, remotePossible, languages, mustHaveSkills, niceToHaveSkills, startDate, durationWeeks, daysPerWeek, budget);
}
