namespace InterimPlatform.Matching.Ranking;

/// <summary>Why a candidate is not ranked for a brief (the first hard filter they fail).</summary>
public enum Exclusion
{
    None,
    Excluded,
    VettingRejectedOrSuspended,
    NotVetted,
    VettingExpired,
    PlacedElsewhere,
    MissingMustHaveSkills,
    MissingLanguages,
}

/// <summary>
/// The ranking rules of docs/matching.md, in integers: each criterion gives 0–1000 points, the total is the
/// weighted sum over the criteria that apply to the brief. Integer arithmetic makes the ranking exact and
/// reproducible (the benchmark's SQL computes the very same numbers). Every function here is also what the
/// explanations report, so an explanation always adds up to the score.
/// </summary>
internal static class Scoring
{
    public const int Full = 1000;

    /// <summary>Points for a level relative to the role's: index 0 is three below … index 6 three above.</summary>
    private static readonly int[] LevelPoints = [0, 0, 300, 1000, 1000, 700, 500];

    /// <summary>Points for a spoken language by rank: 0 none, 1 basic … 4 native.</summary>
    private static readonly int[] LanguagePoints = [0, 400, 700, 900, 1000];

    /// <summary>Points for a past assignment's outcome: exceeded, achieved, partly achieved, not achieved, ended early.</summary>
    private static readonly int[] OutcomePoints = [1000, 850, 500, 150, 0];

    public static Exclusion Filter(IndexedCandidate c, PreparedBrief b, out bool inVetting, out bool revettingDue)
    {
        inVetting = false;
        revettingDue = false;
        if (b.Excluded.Count > 0 && b.Excluded.Contains(c.Id))
        {
            return Exclusion.Excluded;
        }

        if (c.Vetting is RankingVocabulary.Rejected or RankingVocabulary.Suspended or < 0)
        {
            return Exclusion.VettingRejectedOrSuspended;
        }

        if (c.Vetting != RankingVocabulary.Approved)
        {
            if (!b.Request.IncludeCandidatesInVetting)
            {
                return Exclusion.NotVetted;
            }

            inVetting = true;
        }
        else if (c.ApprovedUntil < b.Today)
        {
            if (!b.Request.IncludeCandidatesInVetting)
            {
                return Exclusion.VettingExpired;
            }

            revettingDue = true;
        }

        foreach (var placement in c.Placements)
        {
            if (placement.FirstDay < b.End && placement.LastDay >= b.Start && placement.EngagementId != b.Request.EngagementId)
            {
                return Exclusion.PlacedElsewhere;
            }
        }

        foreach (var skill in b.MustHaveSkills)
        {
            if (Array.BinarySearch(c.Skills, skill) < 0)
            {
                return Exclusion.MissingMustHaveSkills;
            }
        }

        foreach (var (code, minimum) in b.Languages)
        {
            if (LanguageRank(c, code) < minimum)
            {
                return Exclusion.MissingLanguages;
            }
        }

        return Exclusion.None;
    }

    public static long Total(IndexedCandidate c, PreparedBrief b)
    {
        var w = b.Weights;
        var a = b.Applies;
        long total = (long)w[0] * Availability(c, b, out _, out _, out _)
            + (long)w[1] * Level(c, b)
            + (long)w[2] * Discipline(c, b)
            + (long)w[5] * EngagementType(c, b, out _)
            + (long)w[9] * TrackRecord(c, b, out _);
        if (a[3]) total += (long)w[3] * Industry(c, b);
        if (a[4]) total += (long)w[4] * Skills(c, b, out _);
        if (a[6]) total += (long)w[6] * Location(c, b);
        if (a[7]) total += (long)w[7] * Languages(c, b);
        if (a[8]) total += (long)w[8] * DayRate(c, b, out _);
        return total;
    }

    public static int Points(Criterion criterion, IndexedCandidate c, PreparedBrief b) => criterion switch
    {
        Criterion.Availability => Availability(c, b, out _, out _, out _),
        Criterion.Level => Level(c, b),
        Criterion.Discipline => Discipline(c, b),
        Criterion.Industry => Industry(c, b),
        Criterion.Skills => Skills(c, b, out _),
        Criterion.EngagementType => EngagementType(c, b, out _),
        Criterion.Location => Location(c, b),
        Criterion.Languages => Languages(c, b),
        Criterion.DayRate => DayRate(c, b, out _),
        Criterion.TrackRecord => TrackRecord(c, b, out _),
        _ => throw new ArgumentOutOfRangeException(nameof(criterion)),
    };

    /// <summary>
    /// Timing (full when they can start by the wanted start, falling to zero at the tolerance) × the share of
    /// the engagement they are available for × the share of the days a week the role needs.
    /// </summary>
    public static int Availability(IndexedCandidate c, PreparedBrief b, out int earliestStart, out int coverage, out int daysPerWeekShare)
    {
        earliestStart = Math.Max(c.AvailableFrom == IndexedCandidate.NoDay ? b.Today : c.AvailableFrom, b.Today + c.NoticeDays);
        var late = Math.Max(0, earliestStart - b.Start);
        var tolerance = b.WeightSet.AvailabilityToleranceDays;
        var timing = late >= tolerance ? 0 : Full - late * Full / tolerance;
        if (c.AvailableUntil >= b.End - 1)
        {
            coverage = Full;
        }
        else
        {
            var covered = Math.Max(0, c.AvailableUntil - Math.Max(b.Start, earliestStart) + 1);
            coverage = Math.Min(Full, (int)((long)covered * Full / (b.End - b.Start)));
        }

        daysPerWeekShare = Math.Min(c.DaysPerWeek, b.DaysPerWeek) * Full / b.DaysPerWeek;
        return timing * coverage / Full * daysPerWeekShare / Full;
    }

    /// <summary>The best of the candidate's levels: the role's level or one above is a full fit.</summary>
    public static int Level(IndexedCandidate c, PreparedBrief b) => Level(c, b, out _);

    /// <param name="bestLevel">The lowest of the candidate's levels that gives the points; -1 when they state none.</param>
    public static int Level(IndexedCandidate c, PreparedBrief b, out int bestLevel)
    {
        var best = 0;
        bestLevel = -1;
        for (var level = 0; level < 4; level++)
        {
            if ((c.Levels & (1 << level)) != 0 && (bestLevel < 0 || LevelPoints[level - b.Level + 3] > best))
            {
                best = LevelPoints[level - b.Level + 3];
                bestLevel = level;
            }
        }

        return best;
    }

    public static int Discipline(IndexedCandidate c, PreparedBrief b) => (c.Disciplines & b.DisciplineBit) != 0 ? Full : 0;

    /// <summary>Full when the industry is one of theirs; 700 when only a past assignment was in it.</summary>
    public static int Industry(IndexedCandidate c, PreparedBrief b)
    {
        if (Array.BinarySearch(c.Industries, b.Industry) >= 0)
        {
            return Full;
        }

        foreach (var assignment in c.TrackRecord)
        {
            if (assignment.Sector == b.Industry)
            {
                return 700;
            }
        }

        return 0;
    }

    /// <summary>The share of the nice-to-have skills they have.</summary>
    public static int Skills(IndexedCandidate c, PreparedBrief b, out int matched)
    {
        matched = 0;
        foreach (var skill in b.NiceToHaveSkills)
        {
            if (Array.BinarySearch(c.Skills, skill) >= 0)
            {
                matched++;
            }
        }

        return matched * Full / b.NiceToHaveSkills.Length;
    }

    /// <summary>Two or more past assignments of the brief's type: full; one: 800; the type only listed: 500.</summary>
    public static int EngagementType(IndexedCandidate c, PreparedBrief b, out int assignments)
    {
        assignments = 0;
        foreach (var assignment in c.TrackRecord)
        {
            if (assignment.EngagementType == b.EngagementType)
            {
                assignments++;
            }
        }

        return assignments >= 2 ? Full
            : assignments == 1 ? 800
            : (c.EngagementTypes & (1 << b.EngagementType)) != 0 ? 500
            : 0;
    }

    /// <summary>Same country: full; else remote on both sides 800, willing to relocate 600, to travel 400.</summary>
    public static int Location(IndexedCandidate c, PreparedBrief b) =>
        c.Country == b.Country ? Full
        : b.RemotePossible && (c.Mobility & IndexedCandidate.Remote) != 0 ? 800
        : (c.Mobility & IndexedCandidate.Relocate) != 0 ? 600
        : (c.Mobility & IndexedCandidate.Travel) != 0 ? 400
        : 0;

    /// <summary>The average, over the brief's languages, of how well they speak each.</summary>
    public static int Languages(IndexedCandidate c, PreparedBrief b)
    {
        var sum = 0;
        foreach (var (code, _) in b.Languages)
        {
            sum += LanguagePoints[LanguageRank(c, code)];
        }

        return sum / b.Languages.Length;
    }

    /// <summary>
    /// Within budget: full; above the maximum falling to zero at 1.5 × the maximum; rate not stated or in a
    /// currency without an exchange rate: 500. <paramref name="rateCents"/> is the rate in the budget's currency.
    /// </summary>
    public static int DayRate(IndexedCandidate c, PreparedBrief b, out long rateCents)
    {
        rateCents = -1;
        if (c.DayRateCents < 0)
        {
            return 500;
        }

        if (c.Currency == b.BudgetCurrency)
        {
            rateCents = c.DayRateCents;
        }
        else if (b.EurMicrosPerUnit.TryGetValue(c.Currency, out var from) && b.EurMicrosPerUnit.TryGetValue(b.BudgetCurrency, out var to))
        {
            rateCents = c.DayRateCents * from / to;
        }
        else
        {
            return 500;
        }

        var max = b.BudgetMaxCents;
        return rateCents <= max ? Full
            : 2 * rateCents >= 3 * max ? 0
            : (int)((3 * max - 2 * rateCents) * Full / max);
    }

    /// <summary>
    /// The best three past assignments relevant to the brief (same engagement type, or in the brief's
    /// industry), each worth its outcome's points averaged with its client rating × 200; their sum / 3.
    /// <paramref name="counted"/> has bit i set for each assignment that counted.
    /// </summary>
    public static int TrackRecord(IndexedCandidate c, PreparedBrief b, out int counted)
    {
        counted = 0;
        int first = -1, second = -1, third = -1;
        int firstAt = -1, secondAt = -1, thirdAt = -1;
        var record = c.TrackRecord;
        for (var i = 0; i < record.Length; i++)
        {
            var assignment = record[i];
            if (assignment.EngagementType != b.EngagementType && (b.Industry == Terms.None || assignment.Sector != b.Industry))
            {
                continue;
            }

            var value = AssignmentValue(assignment);
            if (value > first)
            {
                (third, thirdAt, second, secondAt) = (second, secondAt, first, firstAt);
                (first, firstAt) = (value, i);
            }
            else if (value > second)
            {
                (third, thirdAt) = (second, secondAt);
                (second, secondAt) = (value, i);
            }
            else if (value > third)
            {
                (third, thirdAt) = (value, i);
            }
        }

        foreach (var at in (ReadOnlySpan<int>)[firstAt, secondAt, thirdAt])
        {
            if (at >= 0 && at < 32)
            {
                counted |= 1 << at;
            }
        }

        return (Math.Max(first, 0) + Math.Max(second, 0) + Math.Max(third, 0)) / 3;
    }

    public static int AssignmentValue(PastAssignmentFacts assignment)
    {
        var outcome = assignment.Outcome >= 0 ? OutcomePoints[assignment.Outcome] : 0;
        return assignment.ClientRating > 0 ? (outcome + assignment.ClientRating * 200) / 2 : outcome;
    }

    public static int LanguageRank(IndexedCandidate c, int code)
    {
        foreach (var language in c.Languages)
        {
            if (language >> 3 == code)
            {
                return language & 7;
            }
        }

        return 0;
    }
}
