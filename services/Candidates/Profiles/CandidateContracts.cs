using InterimPlatform.Candidates.Vetting;
using InterimPlatform.Contracts.Candidates.V1;

namespace InterimPlatform.Candidates.Profiles;

/// <summary>Maps the stored candidate to the integration events' shapes.</summary>
internal static class CandidateContracts
{
    public static CandidateProfile Profile(Candidate c) => new(
        c.FullName,
        c.Country,
        c.City,
        c.RemotePossible,
        c.WillingToTravel,
        c.WillingToRelocate,
        [.. c.Languages.Select(l => new LanguageSkill(l.Code, l.Level))],
        [.. c.Levels],
        [.. c.Disciplines],
        [.. c.Industries],
        [.. c.Skills],
        [.. c.EngagementTypes],
        [.. c.TrackRecord.Select(a => new PastAssignment(a.Sector, a.Role, a.EngagementType, a.Level, a.Months, a.Outcome, a.ClientRating, a.EndedOn))],
        c.DayRate,
        c.Currency);

    public static CandidateAvailability Availability(Candidate c) => new(c.AvailableFrom, c.AvailableUntil, c.NoticeDays, c.DaysPerWeek);

    public static CandidateVetting Vetting(Candidate c) => new(c.VettingStatus, c.VettingStatus == VettingStatus.Approved ? c.ApprovedUntil : null);

    public static CandidateRegistered Registered(Candidate c) => new(c.Id, Profile(c), Availability(c), Vetting(c), c.RegisteredAt);
}
