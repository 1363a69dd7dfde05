using System.Collections.Frozen;
using InterimPlatform.Contracts.Matching.V1;

namespace InterimPlatform.Matching.Ranking;

/// <summary>What is asked of a ranking besides the brief.</summary>
/// <param name="Today">The day the ranking is for: vetting expiry, notice periods and "available now" count from it.</param>
/// <param name="EngagementId">The engagement being shortlisted: its own placement does not count as "placed elsewhere".</param>
public sealed record RankingRequest(
    MatchBrief Brief,
    int Top,
    IReadOnlyCollection<Guid> ExcludedCandidateIds,
    bool IncludeCandidatesInVetting,
    Guid? EngagementId,
    DateOnly Today);

/// <summary>A brief turned into the integers the criteria compare with (term ids, bits, day numbers).</summary>
internal sealed class PreparedBrief
{
    public required RankingRequest Request { get; init; }
    public required CriterionWeights WeightSet { get; init; }
    public required int[] Weights { get; init; }
    public required bool[] Applies { get; init; }
    public required int Today { get; init; }
    public required int Start { get; init; }
    /// <summary>First day after the engagement.</summary>
    public required int End { get; init; }
    public required int DaysPerWeek { get; init; }
    public required int Level { get; init; }
    public required uint DisciplineBit { get; init; }
    public required int EngagementType { get; init; }
    public required int Industry { get; init; }
    public required int Country { get; init; }
    public required bool RemotePossible { get; init; }
    /// <summary>(language term id, minimum rank) per required language.</summary>
    public required (int Code, int MinimumRank)[] Languages { get; init; }
    public required int[] MustHaveSkills { get; init; }
    public required int[] NiceToHaveSkills { get; init; }
    public required long BudgetMaxCents { get; init; }
    public required int BudgetCurrency { get; init; }
    public required FrozenSet<Guid> Excluded { get; init; }
    public required FrozenDictionary<int, long> EurMicrosPerUnit { get; init; }

    public int ApplicableWeight { get; private init; }

    public static PreparedBrief Prepare(RankingRequest request, RankingWeights weights, Terms terms)
    {
        var brief = request.Brief;
        var set = weights.For(brief.EngagementType);
        var nice = brief.NiceToHaveSkills.Select(Terms.Normalise).Where(s => s.Length > 0).Distinct().Select(terms.Find).ToArray();
        var applies = new bool[10];
        applies[(int)Criterion.Availability] = true;
        applies[(int)Criterion.Level] = true;
        applies[(int)Criterion.Discipline] = true;
        applies[(int)Criterion.Industry] = !string.IsNullOrWhiteSpace(brief.Industry);
        applies[(int)Criterion.Skills] = nice.Length > 0;
        applies[(int)Criterion.EngagementType] = true;
        applies[(int)Criterion.Location] = !string.IsNullOrWhiteSpace(brief.Country);
        applies[(int)Criterion.Languages] = brief.Languages.Count > 0;
        applies[(int)Criterion.DayRate] = brief.Budget is not null;
        applies[(int)Criterion.TrackRecord] = true;
        var weightArray = set.ToArray();
        var start = brief.StartDate.DayNumber;
        return new PreparedBrief
        {
            Request = request,
            WeightSet = set,
            Weights = weightArray,
            Applies = applies,
            ApplicableWeight = weightArray.Where((_, i) => applies[i]).Sum(),
            Today = request.Today.DayNumber,
            Start = start,
            End = start + brief.DurationWeeks * 7,
            DaysPerWeek = brief.DaysPerWeek,
            Level = RankingVocabulary.IndexOf(RankingVocabulary.Levels, brief.Level),
            DisciplineBit = RankingVocabulary.Bits(RankingVocabulary.Disciplines, [brief.Discipline]),
            EngagementType = RankingVocabulary.IndexOf(RankingVocabulary.EngagementTypes, brief.EngagementType),
            Industry = string.IsNullOrWhiteSpace(brief.Industry) ? Terms.None : terms.Find(Terms.Normalise(brief.Industry)),
            Country = string.IsNullOrWhiteSpace(brief.Country) ? Terms.None : terms.Find(brief.Country.Trim().ToUpperInvariant()),
            RemotePossible = brief.RemotePossible,
            Languages = [.. brief.Languages.Select(l => (terms.Find(l.Code.Trim().ToLowerInvariant()), RankingVocabulary.LanguageRank(l.MinimumLevel)))],
            MustHaveSkills = [.. brief.MustHaveSkills.Select(Terms.Normalise).Where(s => s.Length > 0).Distinct().Select(terms.Find)],
            NiceToHaveSkills = nice,
            BudgetMaxCents = brief.Budget is { } budget ? (long)Math.Round(budget.Max * 100m, MidpointRounding.AwayFromZero) : -1,
            BudgetCurrency = brief.Budget is { } b ? terms.Find(b.Currency.Trim().ToUpperInvariant()) : Terms.None,
            Excluded = request.ExcludedCandidateIds.ToFrozenSet(),
            EurMicrosPerUnit = weights.EurMicrosPerUnit()
                .Select(r => (Id: terms.Find(r.Key), r.Value))
                .Where(r => r.Id >= 0)
                .ToFrozenDictionary(r => r.Id, r => r.Value),
        };
    }
}
