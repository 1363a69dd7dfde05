using InterimPlatform.Contracts;

namespace InterimPlatform.Matching.Ranking;

/// <summary>
/// The controlled vocabularies ranking reads (docs/candidates.md), in the order the index encodes them:
/// levels from the lowest up, so "one level above" is index + 1.
/// </summary>
public static class RankingVocabulary
{
    public static readonly IReadOnlyList<string> Levels = ["project-lead", "middle-management", "senior-management", "executive"];

    public static readonly IReadOnlyList<string> Disciplines = Vocabularies.Disciplines;

    public static readonly IReadOnlyList<string> EngagementTypes = Vocabularies.EngagementTypes;

    public static readonly IReadOnlyList<string> VettingStatuses = ["sourced", "screened", "interviewed", "references-checked", "approved", "rejected", "suspended"];

    /// <summary>Language levels from the lowest up; rank = index + 1, 0 = does not speak it.</summary>
    public static readonly IReadOnlyList<string> LanguageLevels = ["basic", "professional", "fluent", "native"];

    public static readonly IReadOnlyList<string> Outcomes = Vocabularies.Outcomes;

    public const int Approved = 4, Rejected = 5, Suspended = 6;

    public static int IndexOf(IReadOnlyList<string> vocabulary, string? value)
    {
        for (var i = 0; i < vocabulary.Count; i++)
        {
            if (string.Equals(vocabulary[i], value, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    public static uint Bits(IReadOnlyList<string> vocabulary, IEnumerable<string> values)
    {
        var bits = 0u;
        foreach (var value in values)
        {
            var index = IndexOf(vocabulary, value);
            if (index >= 0)
            {
                bits |= 1u << index;
            }
        }

        return bits;
    }

    public static int LanguageRank(string? level) => IndexOf(LanguageLevels, level) + 1;
}
