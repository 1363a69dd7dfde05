namespace InterimPlatform.Contracts.Candidates.V1;

// Candidates' integration events, version 1. They carry what other services need (Matching ranks on
// them), so no service ever calls Candidates back. Values of the controlled vocabularies are the
// kebab-case strings of docs/candidates.md ("senior-management", "gap-cover" ...).

/// <summary>A language and how well the person speaks it.</summary>
/// <param name="Code">ISO 639-1 code, for example "sv".</param>
/// <param name="Level">native, fluent, professional or basic.</param>
public sealed record LanguageSkill(string Code, string Level);

/// <summary>A past interim assignment.</summary>
public sealed record PastAssignment(
    string Sector,
    string Role,
    string EngagementType,
    string Level,
    int Months,
    string Outcome,
    int? ClientRating,
    DateOnly? EndedOn);

/// <summary>What a candidate offers: the fields matching ranks on. Contact details are not part of it.</summary>
public sealed record CandidateProfile(
    string FullName,
    string Country,
    string? City,
    bool RemotePossible,
    bool WillingToTravel,
    bool WillingToRelocate,
    IReadOnlyList<LanguageSkill> Languages,
    IReadOnlyList<string> Levels,
    IReadOnlyList<string> Disciplines,
    IReadOnlyList<string> Industries,
    IReadOnlyList<string> Skills,
    IReadOnlyList<string> EngagementTypes,
    IReadOnlyList<PastAssignment> TrackRecord,
    decimal? DayRate,
    string? Currency);

/// <summary>When a candidate can start, for how long, and how much of the week.</summary>
public sealed record CandidateAvailability(DateOnly? AvailableFrom, DateOnly? AvailableUntil, int NoticeDays, int DaysPerWeek);

/// <summary>Where a candidate stands in vetting.</summary>
/// <param name="Status">sourced, screened, interviewed, references-checked, approved, rejected or suspended.</param>
/// <param name="ApprovedUntil">For approved candidates: when re-vetting is due.</param>
public sealed record CandidateVetting(string Status, DateOnly? ApprovedUntil);

/// <summary>A person entered the pool (registered by the agency or pushed by a partner).</summary>
public sealed record CandidateRegistered(
    Guid CandidateId,
    CandidateProfile Profile,
    CandidateAvailability Availability,
    CandidateVetting Vetting,
    DateTimeOffset RegisteredAt);

/// <summary>The profile changed; carries the whole new profile.</summary>
public sealed record CandidateProfileChanged(Guid CandidateId, CandidateProfile Profile, DateTimeOffset ChangedAt);

/// <summary>The vetting status changed.</summary>
public sealed record CandidateVettingChanged(Guid CandidateId, CandidateVetting Vetting, DateTimeOffset ChangedAt);

/// <summary>The availability changed.</summary>
public sealed record CandidateAvailabilityChanged(Guid CandidateId, CandidateAvailability Availability, DateTimeOffset ChangedAt);

/// <summary>
/// The person's data was erased (GDPR art. 17). Every service purges or anonymises what it holds about
/// this candidate id; the id itself is not personal data once nothing links it to the person.
/// </summary>
public sealed record CandidateErased(Guid CandidateId, DateTimeOffset ErasedAt);

/// <summary>
/// Several of the events above in one message, so that a partner's push of thousands of people costs the broker
/// one message per batch rather than one per person. Candidates' outbox packs whatever of these events it sends
/// together; each entry is exactly the single event it stands for, under that event's own message id, so a
/// consumer applies each entry once, whether it arrived alone or in a batch, and may apply the entries of a batch
/// independently (one failing does not hold up the others).
/// </summary>
/// <param name="Events">In the order they were written; at most one entry per candidate.</param>
public sealed record CandidateEventBatch(IReadOnlyList<CandidateEventBatchEntry> Events);

/// <summary>One event of a <see cref="CandidateEventBatch"/>: its message id and exactly one of the events.</summary>
public sealed record CandidateEventBatchEntry(
    Guid MessageId,
    CandidateRegistered? Registered = null,
    CandidateProfileChanged? ProfileChanged = null,
    CandidateAvailabilityChanged? AvailabilityChanged = null,
    CandidateVettingChanged? VettingChanged = null);
