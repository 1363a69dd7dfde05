using System.Globalization;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Contracts.Matching.V1;
using static InterimPlatform.Tests.Unit.Matching.Samples;

namespace InterimPlatform.Tests.Unit.Matching;

/// <summary>Each criterion's points as docs/matching.md prescribes them, at and around its boundaries.</summary>
public sealed class RankingCriteriaTests
{
    // Days are relative to the default brief's start; the engagement's end is 84 days after it.
    [Theory]
    [InlineData(null, 0, null, 5, 1000)] // available now
    [InlineData(null, 14, null, 5, 1000)] // the notice ends on the start day
    [InlineData(null, 20, null, 5, 800)] // 6 days late of 30: 1000 - 6000/30
    [InlineData(null, 43, null, 5, 34)] // 29 days late: 1000 - 966
    [InlineData(null, 44, null, 5, 0)] // exactly the tolerance late
    [InlineData(3, 0, null, 5, 900)]
    [InlineData(-60, 0, null, 5, 1000)] // available since long ago counts from today
    [InlineData(-60, 20, null, 5, 800)] // the notice still runs from today
    [InlineData(null, 0, 83, 5, 1000)] // available until the engagement's last day
    [InlineData(null, 0, 82, 5, 988)] // one day short: 83/84 of it
    [InlineData(null, 0, 41, 5, 500)] // half of it
    [InlineData(3, 0, 41, 5, 417)] // 900 × (39 days × 1000 / 84 = 464) / 1000
    [InlineData(null, 0, -1, 5, 0)] // gone before the start
    [InlineData(null, 0, null, 3, 600)] // 3 of 5 days a week
    [InlineData(null, 20, 41, 3, 205)] // 800 × 428 / 1000 = 342, × 600 / 1000 = 205 (in the document's order)
    public void Availability_combines_timing_coverage_and_days_a_week(int? fromDaysAfterStart, int noticeDays, int? untilDaysAfterStart, int daysPerWeek, int expected)
    {
        var candidate = Candidate().Available(_ => new CandidateAvailability(
            fromDaysAfterStart is { } from ? Start.AddDays(from) : null,
            untilDaysAfterStart is { } until ? Start.AddDays(until) : null,
            noticeDays,
            daysPerWeek));

        Assert.Equal(expected, Points(candidate, Brief(), "availability"));
    }

    [Theory]
    [InlineData("gap-cover", 13, 72)] // 1000 - 13000/14
    [InlineData("gap-cover", 14, 0)]
    [InlineData("crisis", 1, 929)]
    [InlineData("transformation", 44, 23)] // 1000 - 44000/45
    [InlineData("transformation", 45, 0)]
    [InlineData("expertise", 30, 0)]
    public void Availability_falls_to_zero_at_the_tolerance_of_the_engagement_types_weights(string type, int daysLate, int expected)
    {
        var candidate = Candidate().Available(a => a with { NoticeDays = 14 + daysLate });

        Assert.Equal(expected, Points(candidate, Brief() with { EngagementType = type }, "availability"));
    }

    [Theory]
    [InlineData(3, 2, 666)]
    [InlineData(3, 3, 1000)]
    [InlineData(3, 5, 1000)]
    [InlineData(1, 1, 1000)]
    public void Availability_counts_the_days_a_week_the_role_needs(int briefDays, int candidateDays, int expected)
    {
        var candidate = Candidate().Available(a => a with { DaysPerWeek = candidateDays });

        Assert.Equal(expected, Points(candidate, Brief() with { DaysPerWeek = briefDays }, "availability"));
    }

    [Theory]
    [InlineData("senior-management", "senior-management", 1000)]
    [InlineData("senior-management", "executive", 1000)] // one above: over-qualified is fine
    [InlineData("senior-management", "middle-management", 300)] // one below
    [InlineData("senior-management", "project-lead", 0)] // two below
    [InlineData("executive", "project-lead", 0)] // three below
    [InlineData("project-lead", "senior-management", 700)] // two above
    [InlineData("project-lead", "executive", 500)] // three above
    [InlineData("middle-management", "project-lead,executive", 700)] // the better of 300 and 700
    [InlineData("middle-management", "project-lead,middle-management", 1000)]
    [InlineData("senior-management", "", 0)]
    public void Level_takes_the_best_of_the_candidates_levels(string role, string levels, int expected)
    {
        var candidate = Candidate().Profiled(p => p with { Levels = levels.Split(',', StringSplitOptions.RemoveEmptyEntries) });

        Assert.Equal(expected, Points(candidate, Brief() with { Level = role }, "level"));
    }

    [Theory]
    [InlineData("hr,finance", 1000)]
    [InlineData("hr", 0)]
    [InlineData("", 0)]
    public void Discipline_is_full_when_the_briefs_is_one_of_theirs(string disciplines, int expected)
    {
        var candidate = Candidate().Profiled(p => p with { Disciplines = disciplines.Split(',', StringSplitOptions.RemoveEmptyEntries) });

        Assert.Equal(expected, Points(candidate, Brief(), "discipline"));
    }

    [Fact]
    public void Industry_is_full_when_listed_700_through_a_past_assignment_and_compares_trimmed_in_lower_case()
    {
        var brief = Brief() with { Industry = " Manufacturing " };
        var listed = Candidate().Profiled(p => p with { Industries = ["retail", "manufacturing"] });
        var throughAssignment = Candidate().Profiled(p => p with { Industries = ["retail"], TrackRecord = [Assignment("crisis", "MANUFACTURING", "achieved")] });
        var both = Candidate().Profiled(p => p with { TrackRecord = [Assignment("crisis", "manufacturing", "achieved")] });
        var neither = Candidate().Profiled(p => p with { Industries = ["retail"], TrackRecord = [Assignment("crisis", "banking", "achieved")] });

        Assert.Equal(1000, Points(listed, brief, "industry"));
        Assert.Equal(700, Points(throughAssignment, brief, "industry"));
        Assert.Equal(1000, Points(both, brief, "industry"));
        Assert.Equal(0, Points(neither, brief, "industry"));
    }

    [Fact]
    public void Skills_are_the_share_of_the_distinct_nice_to_have_skills_matched()
    {
        // "SAP", " lean" and "Lean" are three spellings of two skills: three distinct skills in all.
        var brief = Brief() with { NiceToHaveSkills = ["SAP", "erp", " lean", "Lean"] };

        Assert.Equal(666, Points(Candidate().Profiled(p => p with { Skills = ["sap", "ERP "] }), brief, "skills"));
        Assert.Equal(1000, Points(Candidate().Profiled(p => p with { Skills = ["sap", "erp", "lean", "ifrs"] }), brief, "skills"));
        Assert.Equal(0, Points(Candidate().Profiled(p => p with { Skills = [] }), brief, "skills"));
        Assert.Equal(0, Points(Candidate(), Brief() with { NiceToHaveSkills = ["quantum computing"] }, "skills"));
    }

    [Theory]
    [InlineData("crisis,crisis,crisis", "", 1000)]
    [InlineData("crisis,crisis", "", 1000)]
    [InlineData("crisis,gap-cover", "", 800)]
    [InlineData("gap-cover", "crisis", 500)] // listed, but no past crisis assignment
    [InlineData("", "crisis", 500)]
    [InlineData("gap-cover,change", "gap-cover", 0)]
    public void Engagement_type_counts_past_assignments_of_the_type_then_the_listed_types(string pastTypes, string listedTypes, int expected)
    {
        var candidate = Candidate().Profiled(p => p with
        {
            EngagementTypes = listedTypes.Split(',', StringSplitOptions.RemoveEmptyEntries),
            TrackRecord = [.. pastTypes.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => Assignment(t, "retail", "achieved"))],
        });

        Assert.Equal(expected, Points(candidate, Brief() with { EngagementType = "crisis" }, "engagement-type"));
    }

    [Theory]
    [InlineData("DE", false, "DE", false, false, false, 1000)]
    [InlineData("de ", false, " De", false, false, false, 1000)] // countries compare trimmed in upper case
    [InlineData("DE", true, "FR", true, true, true, 800)]
    [InlineData("DE", false, "FR", true, true, true, 600)] // remote counts only when the role can be done remotely
    [InlineData("DE", false, "FR", true, false, true, 400)]
    [InlineData("DE", true, "FR", false, true, true, 600)]
    [InlineData("DE", true, "FR", false, false, true, 400)]
    [InlineData("DE", true, "FR", false, false, false, 0)]
    public void Location_prefers_the_same_country_then_remote_relocation_travel(
        string briefCountry, bool briefRemote, string country, bool remote, bool relocate, bool travel, int expected)
    {
        var candidate = Candidate().Profiled(p => p with { Country = country, RemotePossible = remote, WillingToRelocate = relocate, WillingToTravel = travel });

        Assert.Equal(expected, Points(candidate, Brief() with { Country = briefCountry, RemotePossible = briefRemote }, "location"));
    }

    [Fact]
    public void Languages_average_the_level_points_over_the_briefs_languages()
    {
        var two = Brief() with { Languages = [new LanguageRequirement("de", "basic"), new LanguageRequirement("EN", "basic")] };
        var three = two with { Languages = [.. two.Languages, new LanguageRequirement("fr", "basic")] };

        Assert.Equal(950, Points(Candidate().Profiled(p => p with { Languages = [new("de", "native"), new("en", "fluent")] }), two, "languages"));
        Assert.Equal(550, Points(Candidate().Profiled(p => p with { Languages = [new("De", "professional"), new(" en", "basic")] }), two, "languages"));
        Assert.Equal(666, Points(Candidate().Profiled(p => p with { Languages = [new("de", "fluent"), new("en", "professional"), new("fr", "basic")] }), three, "languages"));
    }

    [Theory]
    [InlineData("1000", "EUR", "1000", "EUR", 1000)] // at the maximum
    [InlineData("1000.01", "EUR", "1000", "EUR", 999)]
    [InlineData("1250", "EUR", "1000", "EUR", 500)] // 1.25 × the maximum
    [InlineData("1499.50", "EUR", "1000", "EUR", 1)]
    [InlineData("1500", "EUR", "1000", "EUR", 0)] // 1.5 × the maximum
    [InlineData("2500", "EUR", "1000", "EUR", 0)]
    [InlineData("600", "eur ", "1000", " Eur", 1000)] // currencies compare trimmed in upper case
    [InlineData(null, null, "1000", "EUR", 500)] // no rate stated
    [InlineData("1000", "GBP", "1200", "EUR", 1000)] // 117000 cents ≤ 120000
    [InlineData("1100", "GBP", "1200", "EUR", 855)] // 128700 cents: (360000 - 257400) × 1000 / 120000
    [InlineData("12000", "SEK", "900", "CHF", 811)] // 1200000 × 87000 / 1060000 = 98490 cents
    [InlineData("1000", "JPY", "1200", "EUR", 500)] // no exchange rate for the candidate's currency
    [InlineData("1000", "EUR", "150000", "JPY", 500)] // nor for the budget's
    [InlineData("160000", "JPY", "150000", "jpy", 866)] // the same currency needs no exchange rate
    [InlineData("1000", null, "1000", "EUR", 500)] // a rate in no currency cannot be compared
    public void Day_rate_is_full_within_budget_and_falls_to_zero_at_one_and_a_half_times_the_maximum(
        string? rate, string? currency, string max, string budgetCurrency, int expected)
    {
        var candidate = Candidate().Profiled(p => p with { DayRate = rate is null ? null : decimal.Parse(rate, CultureInfo.InvariantCulture), Currency = currency });
        var brief = Brief() with { Budget = new DayRateBudget(0m, decimal.Parse(max, CultureInfo.InvariantCulture), budgetCurrency) };

        Assert.Equal(expected, Points(candidate, brief, "day-rate"));
    }

    [Fact]
    public void Track_record_sums_the_best_three_relevant_assignments_over_three()
    {
        var brief = Brief() with { EngagementType = "crisis", Industry = "manufacturing" };

        Assert.Equal(0, Points(Candidate(), brief, "track-record"));
        Assert.Equal(283, Points(Candidate().Profiled(p => p with { TrackRecord = [Assignment("crisis", "retail", "achieved")] }), brief, "track-record"));
        Assert.Equal(783, Points(Candidate().Profiled(p => p with
        {
            TrackRecord =
            [
                Assignment("change", "retail", "exceeded"), // neither the type nor the industry: does not count
                Assignment("crisis", "retail", "achieved"),
                Assignment("gap-cover", " Manufacturing", "partly-achieved"), // the industry
                Assignment("crisis", "banking", "exceeded"),
                Assignment("crisis", "banking", "not-achieved"), // fourth best
            ],
        }), brief, "track-record"));
    }

    [Fact]
    public void Track_record_averages_each_outcome_with_its_client_rating()
    {
        var brief = Brief() with { EngagementType = "crisis", Industry = "manufacturing" };
        var candidate = Candidate().Profiled(p => p with
        {
            TrackRecord =
            [
                Assignment("crisis", "retail", "exceeded", 3), // (1000 + 600) / 2 = 800
                Assignment("crisis", "retail", "achieved", 5), // 925
                Assignment("crisis", "retail", "not-achieved", 1), // 175
                Assignment("crisis", "retail", "ended-early"), // 0
                Assignment("change", "manufacturing", "partly-achieved", 4), // 650
            ],
        });

        Assert.Equal((925 + 800 + 650) / 3, Points(candidate, brief, "track-record"));
    }

    [Fact]
    public void Track_record_counts_the_sector_only_when_the_brief_names_an_industry()
    {
        var candidate = Candidate().Profiled(p => p with
        {
            TrackRecord = [Assignment("crisis", "retail", "achieved"), Assignment("gap-cover", "manufacturing", "exceeded")],
        });

        Assert.Equal(850 / 3, Points(candidate, Brief() with { EngagementType = "crisis" }, "track-record"));
        Assert.Equal((1000 + 850) / 3, Points(candidate, Brief() with { EngagementType = "crisis", Industry = "manufacturing" }, "track-record"));
    }

    [Fact]
    public void Only_the_criteria_that_apply_to_the_brief_are_listed_in_the_documents_order()
    {
        string[] always = ["availability", "level", "discipline", "engagement-type", "track-record"];
        var everything = Brief() with
        {
            Industry = "manufacturing",
            NiceToHaveSkills = ["sap"],
            Country = "DE",
            Languages = [new LanguageRequirement("de", "basic")],
            Budget = new DayRateBudget(900m, 1200m, "EUR"),
        };

        Assert.Equal(always, Listed(Candidate(), Brief()));
        Assert.Equal(always, Listed(Candidate(), Brief() with { Industry = " ", Country = "", NiceToHaveSkills = [" "] }));
        Assert.Equal(
            ["availability", "level", "discipline", "industry", "skills", "engagement-type", "location", "languages", "day-rate", "track-record"],
            Listed(Candidate(), everything));
    }
}
