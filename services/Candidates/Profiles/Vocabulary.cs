namespace InterimPlatform.Candidates.Profiles;

/// <summary>The controlled vocabularies of a profile, in their API spelling (kebab-case).</summary>
public static class Vocabulary
{
    public static readonly IReadOnlyList<string> Levels = ["executive", "senior-management", "middle-management", "project-lead"];

    public static readonly IReadOnlyList<string> Disciplines =
    [
        "general-management", "finance", "hr", "it", "operations", "sales", "marketing", "supply-chain",
        "product-management", "process-management", "back-office", "legal", "engineering", "procurement",
    ];

    /// <summary>The briefs of the seeds: gap cover, project leadership, transformation, change, crisis, expertise.</summary>
    public static readonly IReadOnlyList<string> EngagementTypes = ["gap-cover", "project-leadership", "transformation", "change", "crisis", "expertise"];

    public static readonly IReadOnlyList<string> LanguageLevels = ["native", "fluent", "professional", "basic"];

    public static readonly IReadOnlyList<string> Outcomes = ["exceeded", "achieved", "partly-achieved", "not-achieved", "ended-early"];

    /// <summary>GDPR art. 6 bases the agency relies on.</summary>
    public static readonly IReadOnlyList<string> LawfulBases = ["consent", "legitimate-interest", "contract"];

    public static bool IsCountryCode(string? value) => value is { Length: 2 } && value.All(char.IsAsciiLetterUpper);

    public static bool IsLanguageCode(string? value) => value is { Length: 2 } && value.All(char.IsAsciiLetterLower);

    public static bool IsCurrencyCode(string? value) => value is { Length: 3 } && value.All(char.IsAsciiLetterUpper);
}
