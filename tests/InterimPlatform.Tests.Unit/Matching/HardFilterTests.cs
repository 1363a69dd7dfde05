using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Matching.Ranking;
using static InterimPlatform.Tests.Unit.Matching.Samples;

namespace InterimPlatform.Tests.Unit.Matching;

/// <summary>The hard filters of docs/matching.md, the order they are checked in, and the flags of included candidates in vetting.</summary>
public sealed class HardFilterTests
{
    [Fact]
    public void An_excluded_candidate_is_removed_before_anything_else_is_checked()
    {
        var candidate = Candidate().Vetted("rejected");

        var assessment = Assess(candidate, Request(Brief(), includeInVetting: true, excluded: [Guid.NewGuid(), candidate.Id]));

        Assert.Equal("excluded", assessment.Exclusion);
        Assert.Equal("excluded for this engagement", assessment.ExclusionReason);
    }

    [Theory]
    [InlineData("rejected")]
    [InlineData("suspended")]
    [InlineData("on-hold")] // unknown
    [InlineData("Approved")] // unknown: statuses are the exact vocabulary
    public void Rejected_suspended_or_unknown_vetting_removes_even_when_candidates_in_vetting_are_included(string status)
    {
        var candidate = Candidate().Vetted(status, new DateOnly(2027, 6, 30));

        Assert.Equal("vetting-rejected-or-suspended", Assess(candidate, Request(Brief())).Exclusion);
        Assert.Equal("vetting-rejected-or-suspended", Assess(candidate, Request(Brief(), includeInVetting: true)).Exclusion);
    }

    [Theory]
    [InlineData("sourced")]
    [InlineData("screened")]
    [InlineData("interviewed")]
    [InlineData("references-checked")]
    public void A_candidate_in_vetting_is_removed_unless_included_then_flagged(string status)
    {
        var candidate = Candidate().Vetted(status);

        Assert.Equal("not-vetted", Assess(candidate, Request(Brief())).Exclusion);
        var included = Assess(candidate, Request(Brief(), includeInVetting: true));
        Assert.Null(included.Exclusion);
        Assert.Equal(["in-vetting"], included.Candidate.Flags);
    }

    [Fact]
    public void An_approval_that_ended_before_the_ranking_day_is_removed_unless_included_then_flagged_re_vetting_due()
    {
        var expired = Candidate().Vetted("approved", Today.AddDays(-1));

        Assert.Equal("vetting-expired", Assess(expired, Request(Brief())).Exclusion);
        var included = Assess(expired, Request(Brief(), includeInVetting: true));
        Assert.Null(included.Exclusion);
        Assert.Equal(["re-vetting-due"], included.Candidate.Flags);
    }

    [Fact]
    public void An_approval_until_the_ranking_day_or_without_end_is_valid()
    {
        foreach (var candidate in new[] { Candidate().Vetted("approved", Today), Candidate().Vetted("approved") })
        {
            var assessment = Assess(candidate, Request(Brief(), includeInVetting: true));
            Assert.Null(assessment.Exclusion);
            Assert.Empty(assessment.Candidate.Flags);
        }
    }

    // The default brief runs from Start to Start + 83 (its end, Start + 84, is the first day after it).
    [Theory]
    [InlineData(83, 120, true)]
    [InlineData(84, 120, false)]
    [InlineData(-30, 0, true)]
    [InlineData(-30, -1, false)]
    [InlineData(10, 20, true)]
    [InlineData(-10, 200, true)]
    public void A_placement_on_another_engagement_that_overlaps_the_engagement_removes(int firstDay, int lastDay, bool removed)
    {
        var candidate = Candidate().PlacedOn(Guid.NewGuid(), Start.AddDays(firstDay), Start.AddDays(lastDay));

        Assert.Equal(removed ? "placed-elsewhere" : null, Assess(candidate, Request(Brief())).Exclusion);
    }

    [Fact]
    public void A_placement_on_the_engagement_being_shortlisted_does_not_remove()
    {
        var candidate = Candidate().PlacedOn(Engagement, Start, Start.AddDays(30));

        Assert.Null(Assess(candidate, Request(Brief(), engagementId: Engagement)).Exclusion);
        Assert.Equal("placed-elsewhere", Assess(candidate, Request(Brief(), engagementId: Guid.NewGuid())).Exclusion);
        Assert.Equal("placed-elsewhere", Assess(candidate, new RankingRequest(Brief(), 20, [], false, null, Today)).Exclusion);
    }

    [Fact]
    public void Every_must_have_skill_is_required_compared_trimmed_in_lower_case()
    {
        var brief = Brief() with { MustHaveSkills = ["SAP", " IFRS"] };

        Assert.Null(Assess(Candidate().Profiled(p => p with { Skills = ["sap", "ifrs ", "lean"] }), brief).Exclusion);
        var missing = Assess(Candidate().Profiled(p => p with { Skills = ["sap", "lean"] }), brief);
        Assert.Equal("missing-must-have-skills", missing.Exclusion);
        Assert.Equal("lacks a must-have skill", missing.ExclusionReason);
        Assert.Equal("missing-must-have-skills", Assess(Candidate(), Brief() with { MustHaveSkills = ["quantum computing"] }).Exclusion);
    }

    [Theory]
    [InlineData("native", null)]
    [InlineData("fluent", null)]
    [InlineData("professional", "missing-languages")]
    [InlineData("basic", "missing-languages")]
    [InlineData(null, "missing-languages")]
    public void Every_required_language_is_needed_at_least_at_its_minimum_level(string? germanLevel, string? exclusion)
    {
        var candidate = Candidate().Profiled(p => p with { Languages = germanLevel is null ? [new("en", "native")] : [new("en", "native"), new(" DE", germanLevel)] });
        var brief = Brief() with { Languages = [new LanguageRequirement("en", "basic"), new LanguageRequirement("de", "fluent")] };

        Assert.Equal(exclusion, Assess(candidate, brief).Exclusion);
    }

    [Fact]
    public void The_first_failing_filter_is_the_reason()
    {
        var brief = Brief() with { MustHaveSkills = ["ifrs"], Languages = [new LanguageRequirement("fr", "basic")] };
        var everythingWrong = Candidate().PlacedOn(Guid.NewGuid(), Start, Start).Vetted("sourced");

        Assert.Equal("not-vetted", Assess(everythingWrong, brief).Exclusion);
        Assert.Equal("placed-elsewhere", Assess(everythingWrong, Request(brief, includeInVetting: true)).Exclusion);
        Assert.Equal("missing-must-have-skills", Assess(everythingWrong with { Placements = [] }, Request(brief, includeInVetting: true)).Exclusion);
        Assert.Equal("missing-languages", Assess(everythingWrong with { Placements = [] }, Request(brief with { MustHaveSkills = [] }, includeInVetting: true)).Exclusion);
    }

    [Fact]
    public void A_ranking_counts_how_many_candidates_each_filter_removed()
    {
        var brief = Brief() with { MustHaveSkills = ["sap"], Languages = [new LanguageRequirement("de", "professional")] };
        var excluded = Candidate();
        var full = Candidate();
        var late = Candidate().Available(a => a with { NoticeDays = 20 });
        var inVetting = Candidate().Vetted("screened");
        var revettingDue = Candidate().Vetted("approved", Today.AddDays(-10));
        var pool = Index(
            excluded, full, late, inVetting, revettingDue,
            Candidate().Vetted("rejected"), Candidate().Vetted("suspended"),
            Candidate().Vetted("interviewed").PlacedOn(Guid.NewGuid(), Start, Start),
            Candidate().Profiled(p => p with { Skills = [] }), Candidate().Profiled(p => p with { Skills = [] }),
            Candidate().Profiled(p => p with { Languages = [new("de", "basic")] }));

        var outcome = pool.Rank(Request(brief, includeInVetting: true, excluded: [excluded.Id]));

        Assert.Equal(11, outcome.Considered);
        Assert.Equal(4, outcome.Eligible);
        Assert.Equal(
            new Dictionary<string, int>
            {
                ["excluded"] = 1,
                ["vetting-rejected-or-suspended"] = 2,
                ["placed-elsewhere"] = 1,
                ["missing-must-have-skills"] = 2,
                ["missing-languages"] = 1,
            },
            outcome.FilteredOut);
        // Equal totals in the order the ids were made (ascending), the late one last.
        Assert.Equal([full.Id, inVetting.Id, revettingDue.Id, late.Id], outcome.Candidates.Select(c => c.CandidateId));
        Assert.Equal([[], ["in-vetting"], ["re-vetting-due"], []], outcome.Candidates.Select(c => c.Flags));

        var vettedOnly = pool.Rank(Request(brief, excluded: [excluded.Id]));

        Assert.Equal(2, vettedOnly.Eligible);
        Assert.Equal(
            new Dictionary<string, int>
            {
                ["excluded"] = 1,
                ["vetting-rejected-or-suspended"] = 2,
                ["not-vetted"] = 2,
                ["vetting-expired"] = 1,
                ["missing-must-have-skills"] = 2,
                ["missing-languages"] = 1,
            },
            vettedOnly.FilteredOut);
        Assert.Equal([full.Id, late.Id], vettedOnly.Candidates.Select(c => c.CandidateId));
    }
}
