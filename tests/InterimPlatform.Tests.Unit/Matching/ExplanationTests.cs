using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Matching.Ranking;
using static InterimPlatform.Tests.Unit.Matching.Samples;

namespace InterimPlatform.Tests.Unit.Matching;

/// <summary>Every ranked result's breakdown adds up to its score and names the evidence behind each criterion's points.</summary>
public sealed class ExplanationTests
{
    [Fact]
    public void The_listed_criteria_add_up_to_the_score_and_are_exactly_those_that_apply()
    {
        var generator = new PoolGenerator(31337);
        var (pool, requests) = generator.Scenario(1500, 20);
        foreach (var weights in new[] { RankingWeights.Standard, generator.Weights() })
        {
            var index = Index(weights, pool);
            foreach (var (request, i) in requests.Select((r, i) => (r, i)))
            {
                var brief = request.Brief;
                string?[] applicable =
                [
                    "availability", "level", "discipline",
                    string.IsNullOrWhiteSpace(brief.Industry) ? null : "industry",
                    brief.NiceToHaveSkills.Any(s => !string.IsNullOrWhiteSpace(s)) ? "skills" : null,
                    "engagement-type",
                    string.IsNullOrWhiteSpace(brief.Country) ? null : "location",
                    brief.Languages.Count > 0 ? "languages" : null,
                    brief.Budget is null ? null : "day-rate",
                    "track-record",
                ];

                var outcome = index.Rank(request);

                Assert.NotEmpty(outcome.Candidates);
                Assert.Equal(Enumerable.Range(1, outcome.Candidates.Count), outcome.Candidates.Select(c => c.Rank));
                foreach (var candidate in outcome.Candidates)
                {
                    var context = $"seed 31337, weights {weights.Version}, request {i}, candidate {candidate.CandidateId}";
                    var total = candidate.Criteria.Sum(c => (long)c.Weight * c.Points);
                    var weightSum = candidate.Criteria.Sum(c => c.Weight);
                    Assert.True(
                        candidate.Score == Math.Round((decimal)total / weightSum / 10, 2, MidpointRounding.AwayFromZero),
                        $"{context}: score {candidate.Score}, criteria give {total} / {weightSum} / 10");
                    Assert.Equal(applicable.OfType<string>(), candidate.Criteria.Select(c => c.Criterion));
                    Assert.All(candidate.Criteria, c => Assert.InRange(c.Points, 0, 1000));
                    Assert.All(candidate.Criteria, c => Assert.False(string.IsNullOrWhiteSpace(c.Evidence), context));

                    // A recruiter looking one candidate up sees the very same explanation.
                    Assert.Equivalent(candidate with { Rank = 0 }, index.Assess(candidate.CandidateId, request)!.Candidate, strict: true);
                }
            }
        }
    }

    [Fact]
    public void The_score_is_rounded_to_two_decimals_away_from_zero()
    {
        // Only availability (weight 1) and level (weight 7) count. Five days late of 30 gives 834 points:
        // (834 + 7 × 1000) / 8 / 10 = 97.925, which rounds to 97.93 (to even it would be 97.92).
        var weights = new RankingWeights { Version = "midpoint", Default = new() { Availability = 1, Level = 7 } };
        var candidate = Candidate().Available(a => a with { NoticeDays = 19 });

        var assessment = Index(weights, [candidate]).Assess(candidate.Id, Request(Brief()))!;

        Assert.Equal(97.93m, assessment.Candidate.Score);
        Assert.Equal([834, 1000, 1000, 500, 0], assessment.Candidate.Criteria.Select(c => c.Points));
        // The standard weights: (15 × 1000 + 10 × 1000 + 10 × 1000 + 10 × 500 + 10 × 0) / 55 / 10 = 72.727…
        Assert.Equal(72.73m, Assess(Candidate(), Brief()).Candidate.Score);
    }

    [Fact]
    public void Skills_evidence_names_the_matched_and_the_missing_nice_to_have_skills()
    {
        var candidate = Candidate().Profiled(p => p with { Skills = ["sap", "erp"] });

        Assert.Equal("2 of 3 nice-to-have skills: sap, erp; missing: lean.", Evidence(candidate, Brief() with { NiceToHaveSkills = ["SAP", " erp", "Lean"] }, "skills"));
        Assert.Equal("0 of 1 nice-to-have skills; missing: ifrs.", Evidence(candidate, Brief() with { NiceToHaveSkills = ["ifrs"] }, "skills"));
    }

    [Fact]
    public void Availability_evidence_gives_the_earliest_start_days_late_coverage_and_days_a_week()
    {
        var candidate = Candidate().Available(_ => new CandidateAvailability(null, Start.AddDays(41), 20, 3));

        Assert.Equal(
            "can start 2026-12-13, 6 days after the wanted start (zero points from 30 days late) (20 days' notice); available until 2027-01-17 for 42% of the 12 weeks; 3 of 5 days a week (60%).",
            Evidence(candidate, Brief(), "availability"));
    }

    [Fact]
    public void Track_record_evidence_lists_the_assignments_that_counted_and_engagement_type_counts_them()
    {
        var brief = Brief() with { EngagementType = "crisis", Industry = "manufacturing" };
        var candidate = Candidate().Profiled(p => p with
        {
            TrackRecord =
            [
                Assignment("crisis", "retail", "achieved", 5),
                Assignment("change", "banking", "exceeded"),
                Assignment("crisis", "banking", "not-achieved"),
                Assignment("gap-cover", "Manufacturing", "partly-achieved"),
                Assignment("crisis", "retail", "exceeded"),
            ],
        });

        Assert.Equal(
            "Best relevant past assignments, averaged over three: crisis in retail (achieved, client rating 5/5: 925); gap-cover in manufacturing (partly-achieved: 500); crisis in retail (exceeded: 1000).",
            Evidence(candidate, brief, "track-record"));
        Assert.Equal("3 past crisis assignments.", Evidence(candidate, brief, "engagement-type"));
        Assert.Equal("No past assignment of type crisis or in manufacturing.", Evidence(Candidate(), brief, "track-record"));
    }

    [Fact]
    public void Level_industry_location_languages_and_day_rate_evidence_say_why()
    {
        var candidate = Candidate().Profiled(p => p with
        {
            Levels = ["executive"],
            Industries = ["retail"],
            TrackRecord = [Assignment("crisis", "Manufacturing", "achieved")],
            Country = "FR",
            RemotePossible = true,
            Languages = [new("de", "fluent")],
            DayRate = 1100m,
            Currency = "GBP",
        });
        var brief = Brief() with
        {
            Industry = "manufacturing",
            Country = "DE",
            RemotePossible = true,
            Languages = [new LanguageRequirement("de", "basic"), new LanguageRequirement("en", "basic")],
            Budget = new DayRateBudget(900m, 1200m, "EUR"),
        };

        Assert.Equal(
            "Role is senior-management; takes executive roles; best fit executive: one level above the role: a good fit (interim managers are often over-qualified).",
            Evidence(candidate, brief, "level"));
        Assert.Equal("manufacturing is not listed, but a past assignment was in it.", Evidence(candidate, brief, "industry"));
        Assert.Equal("Based in FR; remote work possible on both sides.", Evidence(candidate, brief, "location"));
        Assert.Equal("de fluent, en not spoken.", Evidence(candidate, brief, "languages"));
        Assert.Equal("1100 GBP ≈ 1287 EUR: 7% above the budget's maximum of 1200 EUR.", Evidence(candidate, brief, "day-rate"));
        Assert.Equal("No day rate stated.", Evidence(candidate.Profiled(p => p with { DayRate = null }), brief, "day-rate"));
        Assert.Equal(
            "1100 in no stated currency: no exchange rate to compare with the budget in EUR.",
            Evidence(candidate.Profiled(p => p with { Currency = null }), brief, "day-rate"));
    }
}
