using System.Globalization;
using InterimPlatform.Contracts.Matching.V1;

namespace InterimPlatform.Matching.Ranking;

/// <summary>
/// Turns a candidate's points into what a recruiter reads: per criterion the weight, the points and the
/// evidence behind them. Points come from <see cref="Scoring"/> itself, so the breakdown adds up to the score.
/// </summary>
internal static class Explanations
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Name(Criterion criterion) => criterion switch
    {
        Criterion.EngagementType => "engagement-type",
        Criterion.DayRate => "day-rate",
        Criterion.TrackRecord => "track-record",
        _ => criterion.ToString().ToLowerInvariant(),
    };

    /// <summary>0–100 with two decimals: the weighted points over the weights of the criteria that apply.</summary>
    public static decimal Score(long total, PreparedBrief brief) =>
        brief.ApplicableWeight == 0 ? 0 : Math.Round(total / (decimal)brief.ApplicableWeight / 10m, 2, MidpointRounding.AwayFromZero);

    public static IReadOnlyList<string> Flags(bool inVetting, bool revettingDue) =>
        [.. inVetting ? ["in-vetting"] : Array.Empty<string>(), .. revettingDue ? ["re-vetting-due"] : Array.Empty<string>()];

    public static ShortlistedCandidate Explain(int rank, Ranked ranked, PreparedBrief brief, Terms terms) => new(
        rank,
        ranked.Candidate.Id,
        ranked.Candidate.FullName,
        Score(ranked.Total, brief),
        Flags(ranked.InVetting, ranked.RevettingDue),
        Criteria(ranked.Candidate, brief, terms));

    public static IReadOnlyList<CriterionScore> Criteria(IndexedCandidate c, PreparedBrief brief, Terms terms)
    {
        var criteria = new List<CriterionScore>(10);
        foreach (var criterion in Enum.GetValues<Criterion>())
        {
            if (brief.Applies[(int)criterion])
            {
                var points = Scoring.Points(criterion, c, brief);
                criteria.Add(new CriterionScore(Name(criterion), brief.Weights[(int)criterion], points, Evidence(criterion, c, brief, terms)));
            }
        }

        return criteria;
    }

    /// <summary>Why a hard filter removed a candidate, in a recruiter's words.</summary>
    public static string Describe(Exclusion exclusion) => exclusion switch
    {
        Exclusion.Excluded => "excluded for this engagement",
        Exclusion.VettingRejectedOrSuspended => "vetting rejected or suspended",
        Exclusion.NotVetted => "not yet approved in vetting",
        Exclusion.VettingExpired => "vetting approval expired: re-vetting due",
        Exclusion.PlacedElsewhere => "placed on another engagement during this one",
        Exclusion.MissingMustHaveSkills => "lacks a must-have skill",
        Exclusion.MissingLanguages => "lacks a required language at the required level",
        _ => "eligible",
    };

    public static string Key(Exclusion exclusion) => exclusion switch
    {
        Exclusion.Excluded => "excluded",
        Exclusion.VettingRejectedOrSuspended => "vetting-rejected-or-suspended",
        Exclusion.NotVetted => "not-vetted",
        Exclusion.VettingExpired => "vetting-expired",
        Exclusion.PlacedElsewhere => "placed-elsewhere",
        Exclusion.MissingMustHaveSkills => "missing-must-have-skills",
        Exclusion.MissingLanguages => "missing-languages",
        _ => "none",
    };

    private static string Evidence(Criterion criterion, IndexedCandidate c, PreparedBrief b, Terms terms)
    {
        var brief = b.Request.Brief;
        switch (criterion)
        {
            case Criterion.Availability:
            {
                Scoring.Availability(c, b, out var earliest, out var coverage, out var share);
                var late = Math.Max(0, earliest - b.Start);
                var start = DateOnly.FromDayNumber(earliest).ToString("yyyy-MM-dd", Invariant);
                var timing = late == 0
                    ? $"can start {start}, in time for the wanted start"
                    : $"can start {start}, {late} days after the wanted start (zero points from {b.WeightSet.AvailabilityToleranceDays} days late)";
                var notice = c.NoticeDays > 0 ? $" ({c.NoticeDays} days' notice)" : "";
                var until = c.AvailableUntil == IndexedCandidate.OpenEnded ? "" : $" until {DateOnly.FromDayNumber(c.AvailableUntil):yyyy-MM-dd}";
                return $"{timing}{notice}; available{until} for {coverage / 10}% of the {brief.DurationWeeks} weeks; {Math.Min((int)c.DaysPerWeek, b.DaysPerWeek)} of {b.DaysPerWeek} days a week ({share / 10}%).";
            }

            case Criterion.Level:
            {
                var levels = Names(RankingVocabulary.Levels, c.Levels);
                Scoring.Level(c, b, out var best);
                var relation = best < 0 ? "no level stated"
                    : (best - b.Level) switch
                    {
                        0 => "the role's level",
                        1 => "one level above the role: a good fit (interim managers are often over-qualified)",
                        > 1 => $"{best - b.Level} levels above the role",
                        -1 => "one level below the role",
                        _ => $"{b.Level - best} levels below the role",
                    };
                return $"Role is {brief.Level}; takes {(levels.Length > 0 ? levels : "no")} roles; best fit {(best < 0 ? "none" : RankingVocabulary.Levels[best])}: {relation}.";
            }

            case Criterion.Discipline:
                return (c.Disciplines & b.DisciplineBit) != 0
                    ? $"{brief.Discipline} is one of their disciplines."
                    : $"{brief.Discipline} is not among their disciplines ({Or(Names(RankingVocabulary.Disciplines, c.Disciplines))}).";

            case Criterion.Industry:
            {
                var industry = Terms.Normalise(brief.Industry!);
                return Array.BinarySearch(c.Industries, b.Industry) >= 0 ? $"{industry} is one of their industries."
                    : c.TrackRecord.Any(a => a.Sector == b.Industry) ? $"{industry} is not listed, but a past assignment was in it."
                    : $"No {industry} experience (industries: {Or(string.Join(", ", c.Industries.Select(terms.Name).Order(StringComparer.Ordinal)))}).";
            }

            case Criterion.Skills:
            {
                var wanted = brief.NiceToHaveSkills.Select(Terms.Normalise).Where(s => s.Length > 0).Distinct().ToList();
                var has = wanted.Where(s => b.NiceToHaveSkills[wanted.IndexOf(s)] is var id && Array.BinarySearch(c.Skills, id) >= 0).ToList();
                var missing = wanted.Except(has).ToList();
                return $"{has.Count} of {wanted.Count} nice-to-have skills" + (has.Count > 0 ? $": {string.Join(", ", has)}" : "") + (missing.Count > 0 ? $"; missing: {string.Join(", ", missing)}." : ".");
            }

            case Criterion.EngagementType:
            {
                Scoring.EngagementType(c, b, out var assignments);
                return assignments > 0 ? $"{assignments} past {brief.EngagementType} assignment{(assignments == 1 ? "" : "s")}."
                    : (c.EngagementTypes & (1 << b.EngagementType)) != 0 ? $"Lists {brief.EngagementType} experience, no past {brief.EngagementType} assignment recorded."
                    : $"No {brief.EngagementType} experience.";
            }

            case Criterion.Location:
            {
                var country = terms.Name(c.Country);
                return c.Country == b.Country ? $"Based in {country}, where the engagement is."
                    : b.RemotePossible && (c.Mobility & IndexedCandidate.Remote) != 0 ? $"Based in {country}; remote work possible on both sides."
                    : (c.Mobility & IndexedCandidate.Relocate) != 0 ? $"Based in {country}; willing to relocate to {brief.Country}."
                    : (c.Mobility & IndexedCandidate.Travel) != 0 ? $"Based in {country}; willing to travel to {brief.Country}."
                    : $"Based in {country}; not willing to travel or relocate{(b.RemotePossible ? " and does not work remotely" : "")}.";
            }

            case Criterion.Languages:
                return string.Join(", ", brief.Languages.Select((l, i) =>
                {
                    var rank = Scoring.LanguageRank(c, b.Languages[i].Code);
                    return $"{l.Code} {(rank == 0 ? "not spoken" : RankingVocabulary.LanguageLevels[rank - 1])}";
                })) + ".";

            case Criterion.DayRate:
            {
                Scoring.DayRate(c, b, out var rate);
                var budget = brief.Budget!;
                if (c.DayRateCents < 0)
                {
                    return "No day rate stated.";
                }

                var own = $"{c.DayRateCents / 100m:0.##} {(c.Currency == Terms.None ? "in no stated currency" : terms.Name(c.Currency))}";
                if (rate < 0)
                {
                    return $"{own}: no exchange rate to compare with the budget in {budget.Currency}.";
                }

                var inBudget = c.Currency == b.BudgetCurrency ? own : $"{own} ≈ {rate / 100m:0.##} {budget.Currency}";
                return rate <= b.BudgetMaxCents
                    ? $"{inBudget}: within the budget (up to {budget.Max:0.##} {budget.Currency})."
                    : $"{inBudget}: {(rate - b.BudgetMaxCents) * 100 / b.BudgetMaxCents}% above the budget's maximum of {budget.Max:0.##} {budget.Currency}.";
            }

            case Criterion.TrackRecord:
            {
                Scoring.TrackRecord(c, b, out var counted);
                var lines = Enumerable.Range(0, c.TrackRecord.Length).Where(i => (counted & (1 << i)) != 0).Select(i =>
                {
                    var a = c.TrackRecord[i];
                    var type = a.EngagementType >= 0 ? RankingVocabulary.EngagementTypes[a.EngagementType] : "other";
                    var outcome = a.Outcome >= 0 ? RankingVocabulary.Outcomes[a.Outcome] : "outcome unknown";
                    var rating = a.ClientRating > 0 ? $", client rating {a.ClientRating}/5" : "";
                    return $"{type} in {terms.Name(a.Sector)} ({outcome}{rating}: {Scoring.AssignmentValue(a)})";
                }).ToList();
                return lines.Count == 0
                    ? $"No past assignment of type {brief.EngagementType}{(b.Industry == Terms.None ? "" : $" or in {Terms.Normalise(brief.Industry!)}")}."
                    : $"Best relevant past assignments, averaged over three: {string.Join("; ", lines)}.";
            }

            default:
                return "";
        }
    }

    private static string Names(IReadOnlyList<string> vocabulary, uint bits) =>
        string.Join(", ", vocabulary.Where((_, i) => (bits & (1u << i)) != 0));

    private static string Or(string list) => list.Length > 0 ? list : "none";
}
