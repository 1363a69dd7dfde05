using InterimPlatform.Contracts.Candidates.V1;

namespace InterimPlatform.Matching.Ranking;

/// <summary>A past assignment as ranking needs it: 8 bytes.</summary>
internal readonly record struct PastAssignmentFacts(int Sector, sbyte EngagementType, sbyte Outcome, sbyte Level, sbyte ClientRating);

/// <summary>A period the candidate is contracted for (both days inclusive, as day numbers).</summary>
internal readonly record struct PlacementPeriod(int FirstDay, int LastDay, Guid EngagementId);

/// <summary>A placement of a candidate on an engagement, from Engagements' events: both days inclusive.</summary>
public readonly record struct Placement(Guid EngagementId, DateOnly FirstDay, DateOnly LastDay);

/// <summary>
/// One candidate in the ranking index: the profile reduced to what the criteria read, as integers, bit
/// sets and sorted term ids. Immutable: a change replaces the whole entry, so a ranking running at the
/// same time sees either the old or the new candidate, never half of each.
/// </summary>
internal sealed class IndexedCandidate
{
    public const int NoDay = int.MinValue;
    public const int OpenEnded = int.MaxValue;

    public required Guid Id { get; init; }
    public required string FullName { get; init; }
    public required sbyte Vetting { get; init; }
    /// <summary>Last day of an approval (day number); <see cref="OpenEnded"/> when it does not expire.</summary>
    public required int ApprovedUntil { get; init; }
    /// <summary>Day number; <see cref="NoDay"/> when available now.</summary>
    public required int AvailableFrom { get; init; }
    /// <summary>Day number of the last available day; <see cref="OpenEnded"/> when open.</summary>
    public required int AvailableUntil { get; init; }
    public required short NoticeDays { get; init; }
    public required byte DaysPerWeek { get; init; }
    /// <summary>Bit i set: the candidate takes roles at <see cref="RankingVocabulary.Levels"/>[i].</summary>
    public required byte Levels { get; init; }
    public required byte EngagementTypes { get; init; }
    public required uint Disciplines { get; init; }
    public required byte Mobility { get; init; }
    public required int Country { get; init; }
    public required int Currency { get; init; }
    /// <summary>Day rate in cents of <see cref="Currency"/>; -1 when not stated.</summary>
    public required long DayRateCents { get; init; }
    public required int[] Industries { get; init; }
    public required int[] Skills { get; init; }
    /// <summary>Sorted <c>language term id * 8 + level rank</c> (rank 4 native … 1 basic).</summary>
    public required int[] Languages { get; init; }
    public required PastAssignmentFacts[] TrackRecord { get; init; }
    public required PlacementPeriod[] Placements { get; init; }

    public const byte Remote = 1, Travel = 2, Relocate = 4;

    /// <summary>Builds the entry for a candidate of Matching's pool; null when there is nothing to rank (erased, or no profile yet).</summary>
    public static IndexedCandidate? From(
        Guid id,
        CandidateProfile? profile,
        CandidateAvailability availability,
        CandidateVetting vetting,
        IEnumerable<Placement> placements,
        Terms terms)
    {
        if (profile is null)
        {
            return null;
        }

        return new IndexedCandidate
        {
            Id = id,
            FullName = profile.FullName,
            Vetting = (sbyte)RankingVocabulary.IndexOf(RankingVocabulary.VettingStatuses, vetting.Status),
            ApprovedUntil = vetting.ApprovedUntil?.DayNumber ?? OpenEnded,
            AvailableFrom = availability.AvailableFrom?.DayNumber ?? NoDay,
            AvailableUntil = availability.AvailableUntil?.DayNumber ?? OpenEnded,
            NoticeDays = (short)Math.Clamp(availability.NoticeDays, 0, short.MaxValue),
            DaysPerWeek = (byte)Math.Clamp(availability.DaysPerWeek, 0, 7),
            Levels = (byte)RankingVocabulary.Bits(RankingVocabulary.Levels, profile.Levels),
            EngagementTypes = (byte)RankingVocabulary.Bits(RankingVocabulary.EngagementTypes, profile.EngagementTypes),
            Disciplines = RankingVocabulary.Bits(RankingVocabulary.Disciplines, profile.Disciplines),
            Mobility = (byte)((profile.RemotePossible ? Remote : 0) | (profile.WillingToTravel ? Travel : 0) | (profile.WillingToRelocate ? Relocate : 0)),
            Country = terms.Intern(profile.Country.Trim().ToUpperInvariant()),
            Currency = profile.Currency is null ? Terms.None : terms.Intern(profile.Currency.Trim().ToUpperInvariant()),
            DayRateCents = profile.DayRate is { } rate && rate >= 0 ? (long)Math.Round(rate * 100m, MidpointRounding.AwayFromZero) : -1,
            Industries = SortedIds(profile.Industries, terms),
            Skills = SortedIds(profile.Skills, terms),
            Languages = [.. profile.Languages
                .Select(l => terms.Intern(l.Code.Trim().ToLowerInvariant()) * 8 + RankingVocabulary.LanguageRank(l.Level))
                .Order()],
            TrackRecord = [.. profile.TrackRecord.Select(a => new PastAssignmentFacts(
                terms.Intern(Terms.Normalise(a.Sector)),
                (sbyte)RankingVocabulary.IndexOf(RankingVocabulary.EngagementTypes, a.EngagementType),
                (sbyte)RankingVocabulary.IndexOf(RankingVocabulary.Outcomes, a.Outcome),
                (sbyte)RankingVocabulary.IndexOf(RankingVocabulary.Levels, a.Level),
                (sbyte)(a.ClientRating is >= 1 and <= 5 ? a.ClientRating.Value : 0)))],
            Placements = [.. placements.Select(p => new PlacementPeriod(p.FirstDay.DayNumber, p.LastDay.DayNumber, p.EngagementId))],
        };
    }

    private static int[] SortedIds(IEnumerable<string> values, Terms terms) =>
        [.. values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => terms.Intern(Terms.Normalise(v))).Distinct().Order()];
}
