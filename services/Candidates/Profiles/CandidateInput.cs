using System.ComponentModel;

namespace InterimPlatform.Candidates.Profiles;

/// <summary>A candidate's profile as a recruiter (or a partner) submits it.</summary>
public sealed record CandidateInput(
    [property: Description("Name as the person uses it professionally.")] string? FullName,
    [property: Description("Contact e-mail; unique in the pool.")] string? Email,
    [property: Description("Contact phone, international format.")] string? Phone,
    LocationInput? Location,
    [property: Description("Languages with level: native, fluent, professional, basic.")] List<LanguageInput>? Languages,
    [property: Description("Levels the person can take: executive, senior-management, middle-management, project-lead.")] List<string>? Levels,
    [property: Description("general-management, finance, hr, it, operations, sales, marketing, supply-chain, product-management, process-management, back-office, legal, engineering, procurement.")] List<string>? Disciplines,
    [property: Description("Industries, free text, for example \"manufacturing\".")] List<string>? Industries,
    [property: Description("Skills, free text, for example \"erp migration\".")] List<string>? Skills,
    [property: Description("Engagement types done: gap-cover, project-leadership, transformation, change, crisis, expertise.")] List<string>? EngagementTypes,
    [property: Description("Past interim assignments.")] List<AssignmentInput>? TrackRecord,
    RateInput? DayRate,
    AvailabilityInput? Availability,
    [property: Description("A short executive summary.")] string? Summary,
    PrivacyInput? Privacy);

public sealed record LocationInput(
    [property: Description("ISO 3166-1 alpha-2, for example SE.")] string? Country,
    string? City,
    bool WillingToTravel,
    bool WillingToRelocate,
    bool RemotePossible);

public sealed record LanguageInput(
    [property: Description("ISO 639-1, for example sv.")] string? Code,
    [property: Description("native, fluent, professional or basic.")] string? Level);

public sealed record AssignmentInput(
    string? Sector,
    string? Role,
    [property: Description("gap-cover, project-leadership, transformation, change, crisis or expertise.")] string? EngagementType,
    [property: Description("executive, senior-management, middle-management or project-lead.")] string? Level,
    [property: Description("Duration in months.")] int Months,
    [property: Description("exceeded, achieved, partly-achieved, not-achieved or ended-early.")] string? Outcome,
    [property: Description("The client's rating, 1–5.")] int? ClientRating,
    DateOnly? EndedOn);

public sealed record RateInput(
    [property: Description("Day rate, excluding VAT.")] decimal Amount,
    [property: Description("ISO 4217, for example EUR.")] string? Currency);

public sealed record AvailabilityInput(
    [property: Description("First day the person can start (before notice).")] DateOnly? AvailableFrom,
    [property: Description("Last day the person is available, if bounded.")] DateOnly? AvailableUntil,
    [property: Description("Notice period in days.")] int NoticeDays,
    [property: Description("Days per week, 1–5.")] int DaysPerWeek = 5);

public sealed record PrivacyInput(
    [property: Description("GDPR art. 6 basis: consent, legitimate-interest or contract.")] string? LawfulBasis,
    [property: Description("When the consent was given or the basis recorded.")] DateOnly? RecordedOn,
    [property: Description("When to review whether the data may still be kept (default: three years after recording).")] DateOnly? RetentionReviewOn);

/// <summary>Checks a <see cref="CandidateInput"/> field by field and writes it onto a candidate.</summary>
public static class CandidateInputRules
{
    public const int MaxListItems = 50;
    public const int MaxItemLength = 100;
    public const int MaxTrackRecord = 100;
    private static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(3 * 365);

    /// <summary>The latest date the lawful basis may be recorded on (as in the SLA reports, dates stop at 2100).</summary>
    public static readonly DateOnly LatestDate = new(2100, 1, 1);

    public static Dictionary<string, string[]> Validate(CandidateInput input)
    {
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string message) => errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];

        if (string.IsNullOrWhiteSpace(input.FullName))
        {
            Add("fullName", "A name is required.");
        }
        else if (input.FullName.Trim().Length > Candidate.MaxNameLength)
        {
            Add("fullName", $"At most {Candidate.MaxNameLength} characters.");
        }

        if (input.Email is { } email && (email.Trim().Length > Candidate.MaxEmailLength || !System.Net.Mail.MailAddress.TryCreate(email.Trim(), out _)))
        {
            Add("email", "Not a valid e-mail address.");
        }

        if (input.Phone is { Length: > 40 })
        {
            Add("phone", "At most 40 characters.");
        }

        if (input.Location is null || !Vocabulary.IsCountryCode(input.Location.Country?.Trim().ToUpperInvariant()))
        {
            Add("location.country", "A two-letter ISO 3166-1 country code is required, for example SE.");
        }
        else if (input.Location.City is { Length: > MaxItemLength })
        {
            Add("location.city", $"At most {MaxItemLength} characters.");
        }

        for (var i = 0; i < (input.Languages?.Count ?? 0); i++)
        {
            // JSON may hold null where an entry belongs ("languages": [null]): an error at its index, not a crash.
            if (input.Languages![i] is not { } language)
            {
                Add($"languages[{i}]", "An entry is required, not null.");
                continue;
            }

            if (!Vocabulary.IsLanguageCode(language.Code?.Trim().ToLowerInvariant()))
            {
                Add($"languages[{i}].code", "A two-letter ISO 639-1 code, for example sv.");
            }

            if (language.Level is null || !Vocabulary.LanguageLevels.Contains(language.Level))
            {
                Add($"languages[{i}].level", $"One of: {string.Join(", ", Vocabulary.LanguageLevels)}.");
            }
        }

        CheckVocabulary(input.Levels, "levels", Vocabulary.Levels, Add);
        CheckVocabulary(input.Disciplines, "disciplines", Vocabulary.Disciplines, Add);
        CheckVocabulary(input.EngagementTypes, "engagementTypes", Vocabulary.EngagementTypes, Add);
        CheckFreeText(input.Industries, "industries", Add);
        CheckFreeText(input.Skills, "skills", Add);
        if (input.Languages is { Count: > MaxListItems })
        {
            Add("languages", $"At most {MaxListItems} items.");
        }

        if (input.TrackRecord is { Count: > MaxTrackRecord })
        {
            Add("trackRecord", $"At most {MaxTrackRecord} assignments.");
        }

        for (var i = 0; i < Math.Min(input.TrackRecord?.Count ?? 0, MaxTrackRecord); i++)
        {
            if (input.TrackRecord![i] is null)
            {
                Add($"trackRecord[{i}]", "An entry is required, not null.");
                continue;
            }

            foreach (var (field, message) in ValidateAssignment(input.TrackRecord[i]))
            {
                Add($"trackRecord[{i}].{field}", message);
            }
        }

        if (input.DayRate is { } rate)
        {
            if (rate.Amount is <= 0 or > 100_000)
            {
                Add("dayRate.amount", "Greater than 0 and at most 100000.");
            }

            if (!Vocabulary.IsCurrencyCode(rate.Currency?.Trim().ToUpperInvariant()))
            {
                Add("dayRate.currency", "A three-letter ISO 4217 code, for example EUR.");
            }
        }

        if (input.Availability is { } availability)
        {
            foreach (var (field, message) in ValidateAvailability(availability))
            {
                Add($"availability.{field}", message);
            }
        }

        if (input.Summary is { Length: > Candidate.MaxSummaryLength })
        {
            Add("summary", $"At most {Candidate.MaxSummaryLength} characters.");
        }

        if (input.Privacy?.LawfulBasis is not { } basis || !Vocabulary.LawfulBases.Contains(basis))
        {
            Add("privacy.lawfulBasis", $"The GDPR basis for holding the data is required: one of {string.Join(", ", Vocabulary.LawfulBases)}.");
        }

        // The retention review defaults to three years after the recording: a date near the end of the calendar
        // would overflow, and no basis is recorded that far ahead.
        if (input.Privacy?.RecordedOn > LatestDate)
        {
            Add("privacy.recordedOn", $"Not after {LatestDate:yyyy-MM-dd}.");
        }

        return errors;
    }

    public static IEnumerable<(string Field, string Message)> ValidateAvailability(AvailabilityInput availability)
    {
        if (availability.NoticeDays is < 0 or > 365)
        {
            yield return ("noticeDays", "Between 0 and 365.");
        }

        if (availability.DaysPerWeek is < 1 or > 5)
        {
            yield return ("daysPerWeek", "Between 1 and 5.");
        }

        if (availability.AvailableFrom is { } from && availability.AvailableUntil is { } until && until < from)
        {
            yield return ("availableUntil", "Not before availableFrom.");
        }
    }

    /// <summary>Field errors of one past assignment (of a profile, or completed through Engagements).</summary>
    public static IEnumerable<(string Field, string Message)> ValidateAssignment(AssignmentInput assignment)
    {
        if (string.IsNullOrWhiteSpace(assignment.Sector) || assignment.Sector.Length > MaxItemLength)
        {
            yield return ("sector", $"Required, at most {MaxItemLength} characters.");
        }

        if (string.IsNullOrWhiteSpace(assignment.Role) || assignment.Role.Length > MaxItemLength)
        {
            yield return ("role", $"Required, at most {MaxItemLength} characters.");
        }

        if (assignment.EngagementType is null || !Vocabulary.EngagementTypes.Contains(assignment.EngagementType))
        {
            yield return ("engagementType", $"One of: {string.Join(", ", Vocabulary.EngagementTypes)}.");
        }

        if (assignment.Level is null || !Vocabulary.Levels.Contains(assignment.Level))
        {
            yield return ("level", $"One of: {string.Join(", ", Vocabulary.Levels)}.");
        }

        if (assignment.Months is < 1 or > 240)
        {
            yield return ("months", "Between 1 and 240.");
        }

        if (assignment.Outcome is null || !Vocabulary.Outcomes.Contains(assignment.Outcome))
        {
            yield return ("outcome", $"One of: {string.Join(", ", Vocabulary.Outcomes)}.");
        }

        if (assignment.ClientRating is < 1 or > 5)
        {
            yield return ("clientRating", "Between 1 and 5.");
        }
    }

    /// <summary>A validated past assignment as stored in the track record.</summary>
    public static AssignmentEntry ToEntry(AssignmentInput assignment) => new()
    {
        Sector = assignment.Sector!.Trim(),
        Role = assignment.Role!.Trim(),
        EngagementType = assignment.EngagementType!,
        Level = assignment.Level!,
        Months = assignment.Months,
        Outcome = assignment.Outcome!,
        ClientRating = assignment.ClientRating,
        EndedOn = assignment.EndedOn,
    };

    /// <summary>A new candidate in the pool (vetting starts at sourced) from a validated input.</summary>
    public static Candidate Create(CandidateInput input, DateTimeOffset registeredAt, DateOnly today)
    {
        var candidate = new Candidate { Id = Guid.CreateVersion7(registeredAt), FullName = "", Country = "", LawfulBasis = "", RegisteredAt = registeredAt, UpdatedAt = registeredAt };
        Apply(candidate, input, today);
        return candidate;
    }

    /// <summary>Writes a validated input onto the candidate, normalised (trimmed, lower-case lists without duplicates).</summary>
    public static void Apply(Candidate candidate, CandidateInput input, DateOnly today)
    {
        candidate.FullName = input.FullName!.Trim();
        candidate.Email = string.IsNullOrWhiteSpace(input.Email) ? null : input.Email.Trim().ToLowerInvariant();
        candidate.Phone = string.IsNullOrWhiteSpace(input.Phone) ? null : input.Phone.Trim();
        candidate.Country = input.Location!.Country!.Trim().ToUpperInvariant();
        candidate.City = string.IsNullOrWhiteSpace(input.Location.City) ? null : input.Location.City.Trim();
        candidate.WillingToTravel = input.Location.WillingToTravel;
        candidate.WillingToRelocate = input.Location.WillingToRelocate;
        candidate.RemotePossible = input.Location.RemotePossible;
        candidate.Languages = [.. (input.Languages ?? []).DistinctBy(l => l.Code!.Trim().ToLowerInvariant()).Select(l => new LanguageEntry { Code = l.Code!.Trim().ToLowerInvariant(), Level = l.Level! })];
        candidate.LanguageCodes = [.. candidate.Languages.Select(l => l.Code)];
        candidate.Levels = Normalise(input.Levels);
        candidate.Disciplines = Normalise(input.Disciplines);
        candidate.Industries = Normalise(input.Industries);
        candidate.Skills = Normalise(input.Skills);
        candidate.EngagementTypes = Normalise(input.EngagementTypes);
        candidate.TrackRecord = [.. (input.TrackRecord ?? []).Select(ToEntry)];
        candidate.DayRate = input.DayRate?.Amount;
        candidate.Currency = input.DayRate?.Currency?.Trim().ToUpperInvariant();
        if (input.Availability is { } availability)
        {
            ApplyAvailability(candidate, availability);
        }

        candidate.Summary = string.IsNullOrWhiteSpace(input.Summary) ? null : input.Summary.Trim();
        var privacy = input.Privacy!;
        if (candidate.LawfulBasis != privacy.LawfulBasis || privacy.RecordedOn is not null)
        {
            candidate.LawfulBasis = privacy.LawfulBasis!;
            candidate.LawfulBasisRecordedOn = privacy.RecordedOn ?? today;
        }

        candidate.RetentionReviewOn = privacy.RetentionReviewOn ?? candidate.LawfulBasisRecordedOn.AddDays((int)DefaultRetention.TotalDays);
    }

    public static void ApplyAvailability(Candidate candidate, AvailabilityInput availability)
    {
        candidate.AvailableFrom = availability.AvailableFrom;
        candidate.AvailableUntil = availability.AvailableUntil;
        candidate.NoticeDays = availability.NoticeDays;
        candidate.DaysPerWeek = availability.DaysPerWeek;
    }

    private static List<string> Normalise(List<string>? values) =>
        [.. (values ?? []).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim().ToLowerInvariant()).Distinct()];

    private static void CheckVocabulary(List<string>? values, string field, IReadOnlyList<string> allowed, Action<string, string> add)
    {
        if (values is { Count: > MaxListItems })
        {
            add(field, $"At most {MaxListItems} items.");
        }

        var unknown = (values ?? []).Where(v => !allowed.Contains(v?.Trim().ToLowerInvariant() ?? "")).ToList();
        if (unknown.Count > 0)
        {
            add(field, $"Unknown: {string.Join(", ", unknown.Take(5))}. One of: {string.Join(", ", allowed)}.");
        }
    }

    private static void CheckFreeText(List<string>? values, string field, Action<string, string> add)
    {
        if (values is { Count: > MaxListItems })
        {
            add(field, $"At most {MaxListItems} items.");
        }

        if ((values ?? []).Any(v => string.IsNullOrWhiteSpace(v) || v.Length > MaxItemLength))
        {
            add(field, $"Each item non-empty and at most {MaxItemLength} characters.");
        }
    }
}
