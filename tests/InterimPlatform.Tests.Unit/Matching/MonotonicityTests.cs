using System.Text.Json;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Matching.Ranking;

namespace InterimPlatform.Tests.Unit.Matching;

/// <summary>
/// docs/matching.md promises that improving one thing about a candidate never lowers their score. Checked
/// on seeded random candidates and briefs, one improvement at a time, under the standard and random weights.
/// </summary>
public sealed class MonotonicityTests
{
    private static readonly string[] Ladder = ["project-lead", "middle-management", "senior-management", "executive"];
    private static readonly string[] LanguageLevels = ["basic", "professional", "fluent", "native"];
    private static readonly string[] Outcomes = ["ended-early", "not-achieved", "partly-achieved", "achieved", "exceeded"];
    private static readonly string[] Disciplines = ["finance", "hr", "it", "operations", "supply-chain", "legal"];

    [Theory]
    [InlineData(8128, 2500)]
    [InlineData(496, 2500)]
    public void Improving_one_thing_about_a_candidate_never_lowers_their_total(int seed, int cases)
    {
        var generator = new PoolGenerator(seed);
        var indexes = new[] { RankingWeights.Standard, generator.Weights(), generator.Weights() }.Select(w => new CandidateIndex(w)).ToArray();
        var raised = 0;
        for (var n = 0; n < cases; n++)
        {
            var index = indexes[n % indexes.Length];
            var request = generator.Request();
            var candidate = generator.Candidate();
            var improvements = Improvements(candidate, request.Brief, generator).ToList();
            var before = Entry(candidate, index);
            var after = improvements.Select(i => Entry(i.Member, index)).ToList();
            var brief = index.Prepare(request); // after interning every term the improved candidates brought in
            var total = Scoring.Total(before, brief);
            foreach (var (improvement, entry) in improvements.Zip(after))
            {
                var improved = Scoring.Total(entry, brief);
                if (improved < total)
                {
                    Assert.Fail($"""
                        seed {seed}, case {n}, weights {index.Weights.Version}: {improvement.Name} lowered the total from {total} to {improved}.
                        candidate: {candidate}
                        improved:  {improvement.Member}
                        request:   {JsonSerializer.Serialize(request)}
                        """);
                }

                raised += improved > total ? 1 : 0;
            }
        }

        // The improvements must matter often, or the property says little.
        Assert.InRange(raised, cases * 4, int.MaxValue);
    }

    private static IndexedCandidate Entry(PoolMember member, CandidateIndex index) =>
        IndexedCandidate.From(member.Id, member.Profile, member.Availability, member.Vetting, member.Placements, index.Terms)!;

    private sealed record Improvement(string Name, PoolMember Member);

    private static IEnumerable<Improvement> Improvements(PoolMember c, MatchBrief brief, PoolGenerator random)
    {
        var a = c.Availability;
        var p = c.Profile;
        Improvement Available(string name, CandidateAvailability availability) => new(name, c with { Availability = availability });
        Improvement Profiled(string name, CandidateProfile profile) => new(name, c with { Profile = profile });

        if (a.AvailableFrom is { } from)
        {
            yield return Available("an earlier availableFrom", a with { AvailableFrom = from.AddDays(-random.Next(1, 40)) });
            yield return Available("available now instead of from a date", a with { AvailableFrom = null });
        }

        if (a.NoticeDays > 0)
        {
            yield return Available("a shorter notice", a with { NoticeDays = a.NoticeDays - random.Next(1, a.NoticeDays + 1) });
        }

        if (a.AvailableUntil is { } until)
        {
            yield return Available("a later availableUntil", a with { AvailableUntil = until.AddDays(random.Next(1, 60)) });
            yield return Available("open-ended availability", a with { AvailableUntil = null });
        }

        if (a.DaysPerWeek < 7)
        {
            yield return Available("another day a week", a with { DaysPerWeek = a.DaysPerWeek + 1 });
        }

        var skill = random.Pick<string>([.. brief.NiceToHaveSkills, .. brief.MustHaveSkills, "sap", "treasury", "six sigma"]);
        yield return Profiled($"the skill {skill}", p with { Skills = [.. p.Skills, skill] });

        if (p.Languages.Count > 0 && random.Pick(p.Languages) is { Level: not "native" } spoken)
        {
            var better = LanguageLevels[Array.IndexOf(LanguageLevels, spoken.Level) + 1];
            yield return Profiled($"{spoken.Code} {better}", p with { Languages = [.. p.Languages.Select(l => l == spoken ? l with { Level = better } : l)] });
        }

        if (brief.Languages.Count > 0 && random.Pick(brief.Languages) is var wanted
            && !p.Languages.Any(l => l.Code.Trim().Equals(wanted.Code.Trim(), StringComparison.OrdinalIgnoreCase)))
        {
            yield return Profiled($"{wanted.Code} basic", p with { Languages = [.. p.Languages, new LanguageSkill(wanted.Code, "basic")] });
        }

        var level = random.Pick(Ladder);
        yield return Profiled($"the level {level}", p with { Levels = [.. p.Levels, level] });
        var discipline = random.Chance(0.5) ? brief.Discipline : random.Pick(Disciplines);
        yield return Profiled($"the discipline {discipline}", p with { Disciplines = [.. p.Disciplines, discipline] });
        var industry = brief.Industry is { } wantedIndustry && random.Chance(0.5) ? wantedIndustry : "energy";
        yield return Profiled($"the industry {industry}", p with { Industries = [.. p.Industries, industry] });
        yield return Profiled($"the engagement type {brief.EngagementType}", p with { EngagementTypes = [.. p.EngagementTypes, brief.EngagementType] });

        if (p.DayRate is { } rate && rate > 1)
        {
            yield return Profiled("a lower day rate", p with { DayRate = Math.Round(rate * random.Next(50, 100) / 100, 2) });
        }

        var good = random.Assignment() with
        {
            EngagementType = random.Chance(0.7) ? brief.EngagementType : random.Pick(PoolGenerator.Types),
            Sector = brief.Industry is { } sector && random.Chance(0.5) ? sector : "energy",
            Outcome = random.Pick<string>(["exceeded", "achieved"]),
        };
        yield return Profiled("a good past assignment", p with { TrackRecord = [.. p.TrackRecord, good] });
        yield return Profiled("any other past assignment", p with { TrackRecord = [.. p.TrackRecord, random.Assignment()] });

        if (p.TrackRecord.Count > 0 && random.Pick(p.TrackRecord) is var past)
        {
            if (past.ClientRating is < 5 and { } rating)
            {
                yield return Profiled("a better client rating", p with { TrackRecord = [.. p.TrackRecord.Select(t => ReferenceEquals(t, past) ? t with { ClientRating = rating + 1 } : t)] });
            }

            if (Array.IndexOf(Outcomes, past.Outcome) is var outcome and >= 0 and < 4)
            {
                yield return Profiled("a better outcome", p with { TrackRecord = [.. p.TrackRecord.Select(t => ReferenceEquals(t, past) ? t with { Outcome = Outcomes[outcome + 1] } : t)] });
            }
        }

        if (!p.RemotePossible)
        {
            yield return Profiled("remote work possible", p with { RemotePossible = true });
        }

        if (!p.WillingToRelocate)
        {
            yield return Profiled("willing to relocate", p with { WillingToRelocate = true });
        }

        if (!p.WillingToTravel)
        {
            yield return Profiled("willing to travel", p with { WillingToTravel = true });
        }
    }
}
