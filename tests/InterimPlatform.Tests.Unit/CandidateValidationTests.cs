using InterimPlatform.Candidates.Profiles;
using InterimPlatform.Candidates.Search;
using InterimPlatform.Candidates.Vetting;

namespace InterimPlatform.Tests.Unit;

public sealed class CandidateValidationTests
{
    private static CandidateInput Valid() => new(
        "Astrid Berg", "astrid@example.se", null,
        new LocationInput("SE", "Göteborg", WillingToTravel: true, WillingToRelocate: false, RemotePossible: true),
        [new LanguageInput("sv", "native"), new LanguageInput("en", "fluent")],
        ["executive"], ["finance"], ["manufacturing"], ["ERP migration"], ["crisis"],
        [new AssignmentInput("manufacturing", "Interim CFO", "crisis", "executive", 9, "achieved", 5, new DateOnly(2025, 6, 30))],
        new RateInput(1400, "eur"),
        new AvailabilityInput(new DateOnly(2026, 12, 1), null, 14),
        "Turnaround CFO.",
        new PrivacyInput("consent", new DateOnly(2026, 11, 1), null));

    [Fact]
    public void A_complete_profile_is_valid_and_is_normalised_when_applied()
    {
        var input = Valid();
        Assert.Empty(CandidateInputRules.Validate(input));

        var candidate = new Candidate { FullName = "", Country = "", LawfulBasis = "" };
        CandidateInputRules.Apply(candidate, input, new DateOnly(2026, 11, 23));

        Assert.Equal(["erp migration"], candidate.Skills);
        Assert.Equal("EUR", candidate.Currency);
        Assert.Equal(["sv", "en"], candidate.LanguageCodes);
        Assert.Equal(new DateOnly(2026, 11, 1), candidate.LawfulBasisRecordedOn);
        Assert.Equal(new DateOnly(2029, 10, 31), candidate.RetentionReviewOn);
    }

    [Fact]
    public void A_null_entry_in_a_list_is_an_error_at_its_index_not_a_crash()
    {
        // What System.Text.Json makes of "languages": [null] and "trackRecord": [null].
        var input = Valid() with { Languages = [null!, new LanguageInput("sv", "native")], TrackRecord = [null!] };

        var errors = CandidateInputRules.Validate(input);

        Assert.Equal(["languages[0]", "trackRecord[0]"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_lawful_basis_recorded_near_the_end_of_the_calendar_is_refused_rather_than_overflowing_its_retention_date()
    {
        var input = Valid() with { Privacy = new PrivacyInput("consent", new DateOnly(9999, 12, 31), null) };

        var errors = CandidateInputRules.Validate(input);

        Assert.Equal(["privacy.recordedOn"], errors.Keys);
    }

    [Fact]
    public void Each_bad_field_is_named_with_its_path()
    {
        var input = Valid() with
        {
            FullName = " ",
            Email = "not-an-address",
            Location = new LocationInput("Sweden", null, false, false, false),
            Levels = ["c-level"],
            Languages = [new LanguageInput("swedish", "good")],
            TrackRecord = [new AssignmentInput("x", "y", "crisis", "executive", 0, "achieved", 9, null)],
            Availability = new AvailabilityInput(new DateOnly(2026, 12, 1), new DateOnly(2026, 11, 1), -1, 6),
            Privacy = new PrivacyInput(null, null, null),
        };

        var errors = CandidateInputRules.Validate(input);

        Assert.Equal(
            [
                "availability.availableUntil", "availability.daysPerWeek", "availability.noticeDays", "email", "fullName",
                "languages[0].code", "languages[0].level", "levels", "location.country", "privacy.lawfulBasis",
                "trackRecord[0].clientRating", "trackRecord[0].months",
            ],
            errors.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("sourced", "screened", true)]
    [InlineData("sourced", "approved", false)]
    [InlineData("screened", "references-checked", false)]
    [InlineData("interviewed", "approved", false)]
    [InlineData("references-checked", "approved", true)]
    [InlineData("approved", "screened", true)]
    [InlineData("rejected", "approved", false)]
    public void Approval_is_reachable_only_through_interview_and_references(string from, string to, bool allowed)
    {
        Assert.Equal(allowed, VettingPipeline.AllowedFrom(from).Contains(to));
    }

    [Fact]
    public void An_interview_scores_all_seven_traits_and_a_rejection_needs_a_reason()
    {
        var partial = new VettingTransitionRequest("interviewed", null, new Dictionary<string, int> { ["decisive"] = 4 }, null);
        var complete = new VettingTransitionRequest("interviewed", null, InterviewTraits.All.ToDictionary(t => t, _ => 4), null);
        var outOfRange = new VettingTransitionRequest("interviewed", null, InterviewTraits.All.ToDictionary(t => t, _ => 6), null);
        var rejection = new VettingTransitionRequest("rejected", " ", null, null);

        Assert.Contains("traitScores", VettingPipeline.Validate(partial).Keys);
        Assert.Empty(VettingPipeline.Validate(complete));
        Assert.Contains("traitScores", VettingPipeline.Validate(outOfRange).Keys);
        Assert.Contains("reason", VettingPipeline.Validate(rejection).Keys);
    }

    [Theory]
    [InlineData("Astr Ber", "astr:* & ber:*")]
    [InlineData("o'brien; DROP TABLE", "obrien:* & drop:* & table:*")]
    [InlineData("  ", null)]
    public void Free_text_becomes_a_safe_prefix_query(string text, string? expected)
    {
        Assert.Equal(expected, CandidateSearch.PrefixQuery(text));
    }
}
