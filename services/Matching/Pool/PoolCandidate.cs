using InterimPlatform.Contracts.Candidates.V1;

namespace InterimPlatform.Matching.Pool;

/// <summary>
/// Matching's own copy of a candidate, fed by Candidates' events. Each facet (profile, availability,
/// vetting) remembers the time of the event it came from: the events travel on different queues, so an
/// older one may arrive after a newer one and must not overwrite it.
/// </summary>
public sealed class PoolCandidate
{
    public Guid CandidateId { get; init; }

    /// <summary>Null once erased, or before the profile arrived.</summary>
    public CandidateProfile? Profile { get; set; }

    public DateTimeOffset? ProfileAt { get; set; }

    public DateOnly? AvailableFrom { get; set; }

    public DateOnly? AvailableUntil { get; set; }

    public int NoticeDays { get; set; }

    public int DaysPerWeek { get; set; } = 5;

    public DateTimeOffset? AvailabilityAt { get; set; }

    public string VettingStatus { get; set; } = "sourced";

    public DateOnly? ApprovedUntil { get; set; }

    public DateTimeOffset? VettingAt { get; set; }

    public DateTimeOffset? RegisteredAt { get; set; }

    /// <summary>A tombstone: the person was erased, and no late event may bring their data back.</summary>
    public bool Erased { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Row version (xmin): two events for one candidate applied at once cannot overwrite each other.</summary>
    public uint Version { get; set; }

    public void ApplyProfile(CandidateProfile profile, DateTimeOffset at)
    {
        if (!Erased && (ProfileAt is null || at > ProfileAt))
        {
            Profile = profile;
            ProfileAt = at;
        }
    }

    public void ApplyAvailability(CandidateAvailability availability, DateTimeOffset at)
    {
        if (!Erased && (AvailabilityAt is null || at > AvailabilityAt))
        {
            AvailableFrom = availability.AvailableFrom;
            AvailableUntil = availability.AvailableUntil;
            NoticeDays = availability.NoticeDays;
            DaysPerWeek = availability.DaysPerWeek;
            AvailabilityAt = at;
        }
    }

    public void ApplyVetting(CandidateVetting vetting, DateTimeOffset at)
    {
        if (!Erased && (VettingAt is null || at > VettingAt))
        {
            VettingStatus = vetting.Status;
            ApprovedUntil = vetting.ApprovedUntil;
            VettingAt = at;
        }
    }

    public void Erase()
    {
        Erased = true;
        Profile = null;
        AvailableFrom = null;
        AvailableUntil = null;
        ApprovedUntil = null;
        RegisteredAt = null;
    }
}
