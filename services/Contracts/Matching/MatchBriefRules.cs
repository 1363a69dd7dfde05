namespace InterimPlatform.Contracts.Matching.V1;

/// <summary>
/// What makes a brief (and a ranking request) valid, field by field, in the API's names: shared so that
/// Engagements refuses a brief Matching could not rank before it ever sends it.
/// </summary>
public static class MatchBriefRules
{
    public const int MaxTop = 200;
    private const int MaxListItems = 30;
    private const int MaxExcluded = 1_000;
    private const int MaxText = 100;

    /// <summary>Field → problems; empty when the request can be ranked.</summary>
    public static Dictionary<string, string[]> Validate(MatchBrief? brief, int top, IReadOnlyCollection<Guid>? excluded, string prefix = "brief.")
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string problem) => (errors.TryGetValue(field, out var list) ? list : errors[field] = []).Add(problem);

        if (top is < 1 or > MaxTop)
        {
            Add("top", $"Between 1 and {MaxTop}.");
        }

        if (excluded is { Count: > MaxExcluded })
        {
            Add("excludedCandidateIds", $"At most {MaxExcluded} ids.");
        }

        Check(brief, prefix, Add);
        return Close(errors);
    }

    /// <summary>Field → problems of the brief alone; empty when valid.</summary>
    public static Dictionary<string, string[]> Validate(MatchBrief? brief, string prefix = "brief.")
    {
        var errors = new Dictionary<string, List<string>>();
        Check(brief, prefix, (field, problem) => (errors.TryGetValue(field, out var list) ? list : errors[field] = []).Add(problem));
        return Close(errors);
    }

    private static void Check(MatchBrief? brief, string prefix, Action<string, string> Add)
    {
        if (brief is null)
        {
            Add(prefix.TrimEnd('.'), "A brief is required.");
            return;
        }

        OneOf(brief.EngagementType, Vocabularies.EngagementTypes, prefix + "engagementType", Add);
        OneOf(brief.Level, Vocabularies.Levels, prefix + "level", Add);
        OneOf(brief.Discipline, Vocabularies.Disciplines, prefix + "discipline", Add);
        if (brief.Industry is { Length: > MaxText })
        {
            Add(prefix + "industry", $"At most {MaxText} characters.");
        }

        if (brief.Country is not null && !(brief.Country.Length == 2 && brief.Country.All(char.IsAsciiLetterUpper)))
        {
            Add(prefix + "country", "An ISO 3166-1 alpha-2 code in upper case, for example \"DE\".");
        }

        if (brief.Languages is { Count: > 10 })
        {
            Add(prefix + "languages", "At most 10 languages.");
        }

        foreach (var (language, i) in (brief.Languages ?? []).Select((l, i) => (l, i)))
        {
            if (language?.Code is not { Length: 2 } code || !code.All(char.IsAsciiLetterLower))
            {
                Add($"{prefix}languages[{i}].code", "An ISO 639-1 code in lower case, for example \"de\".");
            }

            OneOf(language?.MinimumLevel, Vocabularies.LanguageLevels, $"{prefix}languages[{i}].minimumLevel", Add);
        }

        Skills(brief.MustHaveSkills, prefix + "mustHaveSkills", Add);
        Skills(brief.NiceToHaveSkills, prefix + "niceToHaveSkills", Add);
        if (brief.StartDate == default)
        {
            Add(prefix + "startDate", "Required (yyyy-MM-dd).");
        }

        if (brief.DurationWeeks is < 1 or > 520)
        {
            Add(prefix + "durationWeeks", "Between 1 and 520.");
        }

        if (brief.DaysPerWeek is < 1 or > 7)
        {
            Add(prefix + "daysPerWeek", "Between 1 and 7.");
        }

        if (brief.Budget is { } budget)
        {
            if (budget.Max is <= 0 or > 1_000_000)
            {
                Add(prefix + "budget.max", "Greater than 0 and at most 1,000,000.");
            }

            if (budget.Min < 0 || budget.Min > budget.Max)
            {
                Add(prefix + "budget.min", "0 or more, and not above the maximum.");
            }

            if (budget.Currency is not { Length: 3 } currency || !currency.All(char.IsAsciiLetterUpper))
            {
                Add(prefix + "budget.currency", "An ISO 4217 code, for example \"EUR\".");
            }
        }

    }

    /// <summary>The brief as stored and ranked: lists present, free text trimmed.</summary>
    public static MatchBrief Normalise(MatchBrief brief) => brief with
    {
        Industry = string.IsNullOrWhiteSpace(brief.Industry) ? null : brief.Industry.Trim(),
        Country = string.IsNullOrWhiteSpace(brief.Country) ? null : brief.Country,
        Languages = brief.Languages ?? [],
        MustHaveSkills = [.. (brief.MustHaveSkills ?? []).Select(s => s.Trim())],
        NiceToHaveSkills = [.. (brief.NiceToHaveSkills ?? []).Select(s => s.Trim())],
    };

    private static void OneOf(string? value, IReadOnlyList<string> allowed, string field, Action<string, string> add)
    {
        if (value is null || !allowed.Contains(value))
        {
            add(field, $"One of: {string.Join(", ", allowed)}.");
        }
    }

    private static void Skills(IReadOnlyList<string>? skills, string field, Action<string, string> add)
    {
        if (skills is { Count: > MaxListItems })
        {
            add(field, $"At most {MaxListItems} skills.");
        }

        if ((skills ?? []).Any(s => string.IsNullOrWhiteSpace(s) || s.Length > MaxText))
        {
            add(field, $"Each skill is 1 to {MaxText} characters.");
        }
    }

    private static Dictionary<string, string[]> Close(Dictionary<string, List<string>> errors) =>
        errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
}
