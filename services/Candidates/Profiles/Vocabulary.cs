using InterimPlatform.Contracts;

namespace InterimPlatform.Candidates.Profiles;

/// <summary>The controlled vocabularies of a profile, in their API spelling (kebab-case).</summary>
public static class Vocabulary
{
    public static readonly IReadOnlyList<string> Levels = Vocabularies.Levels;

    public static readonly IReadOnlyList<string> Disciplines = Vocabularies.Disciplines;

    /// <summary>The briefs of the seeds: gap cover, project leadership, transformation, change, crisis, expertise.</summary>
    public static readonly IReadOnlyList<string> EngagementTypes = Vocabularies.EngagementTypes;

    public static readonly IReadOnlyList<string> LanguageLevels = Vocabularies.LanguageLevels;

    public static readonly IReadOnlyList<string> Outcomes = Vocabularies.Outcomes;

    /// <summary>GDPR art. 6 bases the agency relies on.</summary>
    public static readonly IReadOnlyList<string> LawfulBases = ["consent", "legitimate-interest", "contract"];

    public static bool IsCountryCode(string? value) => value is { Length: 2 } && value.All(char.IsAsciiLetterUpper);

    public static bool IsLanguageCode(string? value) => value is { Length: 2 } && value.All(char.IsAsciiLetterLower);

    public static bool IsCurrencyCode(string? value) => value is { Length: 3 } && value.All(char.IsAsciiLetterUpper);
}
