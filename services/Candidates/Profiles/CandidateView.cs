using InterimPlatform.Candidates.Vetting;
using InterimPlatform.Contracts.Candidates.V1;

namespace InterimPlatform.Candidates.Profiles;

/// <summary>A candidate as the API shows it.</summary>
public sealed record CandidateView(
    Guid Id,
    string FullName,
    string? Email,
    string? Phone,
    CandidateLocation Location,
    IReadOnlyList<LanguageSkill> Languages,
    IReadOnlyList<string> Levels,
    IReadOnlyList<string> Disciplines,
    IReadOnlyList<string> Industries,
    IReadOnlyList<string> Skills,
    IReadOnlyList<string> EngagementTypes,
    IReadOnlyList<PastAssignment> TrackRecord,
    DayRate? DayRate,
    CandidateAvailability Availability,
    string? Summary,
    VettingView Vetting,
    PrivacyView Privacy,
    DateTimeOffset RegisteredAt,
    DateTimeOffset UpdatedAt)
{
    public static CandidateView From(Candidate c, DateOnly today)
    {
        var profile = CandidateContracts.Profile(c);
        return new CandidateView(
            c.Id,
            c.FullName,
            c.Email,
            c.Phone,
            new CandidateLocation(c.Country, c.City, c.WillingToTravel, c.WillingToRelocate, c.RemotePossible),
            profile.Languages,
            profile.Levels,
            profile.Disciplines,
            profile.Industries,
            profile.Skills,
            profile.EngagementTypes,
            profile.TrackRecord,
            c.DayRate is { } amount ? new DayRate(amount, c.Currency ?? "EUR") : null,
            CandidateContracts.Availability(c),
            c.Summary,
            new VettingView(
                c.VettingStatus,
                c.ApprovedUntil,
                c.VettingStatus == VettingStatus.Approved && c.ApprovedUntil < today,
                VettingPipeline.AllowedFrom(c.VettingStatus)),
            new PrivacyView(
                c.LawfulBasis,
                c.LawfulBasisRecordedOn,
                c.Source,
                c.PartnerId,
                c.PartnerPersonId,
                c.PartnerNoticeSentOn,
                c.PartnerId is null || c.PartnerNoticeSentOn is not null ? null : DateOnly.FromDateTime(c.RegisteredAt.UtcDateTime).AddMonths(1),
                c.RetentionReviewOn),
            c.RegisteredAt,
            c.UpdatedAt);
    }
}

public sealed record CandidateLocation(string Country, string? City, bool WillingToTravel, bool WillingToRelocate, bool RemotePossible);

public sealed record DayRate(decimal Amount, string Currency);

/// <param name="ReVettingDue">Approved, but the approval has expired.</param>
/// <param name="AllowedTransitions">Where vetting may go from here.</param>
public sealed record VettingView(string Status, DateOnly? ApprovedUntil, bool ReVettingDue, IReadOnlyList<string> AllowedTransitions);

/// <param name="PartnerNoticeDueBy">For a partner-sourced person not yet notified: the GDPR art. 14 deadline (one month).</param>
public sealed record PrivacyView(
    string LawfulBasis,
    DateOnly RecordedOn,
    string Source,
    string? PartnerId,
    string? PartnerPersonId,
    DateOnly? PartnerNoticeSentOn,
    DateOnly? PartnerNoticeDueBy,
    DateOnly RetentionReviewOn);
