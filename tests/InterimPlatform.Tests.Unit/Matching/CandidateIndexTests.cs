using InterimPlatform.Matching.Ranking;
using static InterimPlatform.Tests.Unit.Matching.Samples;

namespace InterimPlatform.Tests.Unit.Matching;

/// <summary>The index as its writers and readers use it: deterministic rankings, replacements and removals.</summary>
public sealed class CandidateIndexTests
{
    [Fact]
    public void The_same_request_twice_gives_the_same_ranking_with_the_same_explanations()
    {
        var generator = new PoolGenerator(7);
        var (pool, requests) = generator.Scenario(2000, 1);
        var index = Index(RankingWeights.Standard, pool);
        var request = requests[0];

        var first = index.Rank(request);
        var second = index.Rank(request);

        Assert.Equal(20, first.Candidates.Count);
        Assert.Equivalent(first, second, strict: true);
        Assert.Equal(RankingWeights.Standard.Version, first.WeightsVersion);
    }

    [Fact]
    public void A_removed_candidate_is_no_longer_ranked_nor_assessed()
    {
        var best = Candidate();
        var second = Candidate().Available(a => a with { NoticeDays = 20 });
        var index = Index(best, second);

        Assert.True(index.Remove(best.Id));

        var outcome = index.Rank(Request(Brief()));
        Assert.Equal([second.Id], outcome.Candidates.Select(c => c.CandidateId));
        Assert.Equal(1, outcome.Considered);
        Assert.Equal(1, index.Count);
        Assert.Null(index.Assess(best.Id, Request(Brief())));
        Assert.False(index.Remove(best.Id));
    }

    [Fact]
    public void Upserting_without_a_profile_removes_the_candidate()
    {
        var erased = Candidate();
        var index = Index(erased, Candidate());

        index.Upsert(erased.Id, null, erased.Availability, erased.Vetting, []);

        Assert.Equal(1, index.Count);
        Assert.DoesNotContain(erased.Id, index.Rank(Request(Brief())).Candidates.Select(c => c.CandidateId));
    }

    [Fact]
    public void Upserting_a_known_candidate_replaces_them_and_a_freed_slot_is_reused_for_someone_else()
    {
        var changing = Candidate();
        var leaving = Candidate();
        var index = Index(changing, leaving);

        changing.Available(a => a with { NoticeDays = 20 }).AddTo(index);
        index.Remove(leaving.Id);
        var newcomer = Candidate();
        newcomer.AddTo(index);

        var outcome = index.Rank(Request(Brief()));
        Assert.Equal(2, outcome.Considered);
        Assert.Equal([newcomer.Id, changing.Id], outcome.Candidates.Select(c => c.CandidateId));
        Assert.Equal([72.73m, 67.27m], outcome.Candidates.Select(c => c.Score));
    }

    [Fact]
    public void A_ranking_returns_at_most_top_candidates_the_best_first()
    {
        var candidates = Enumerable.Range(0, 10).Select(days => Candidate().Available(a => a with { NoticeDays = 14 + days })).ToArray();
        var index = Index(candidates);

        Assert.Equal(candidates.Take(3).Select(c => c.Id), index.Rank(Request(Brief(), top: 3)).Candidates.Select(c => c.CandidateId));
        Assert.Equal([candidates[0].Id], index.Rank(Request(Brief(), top: 1)).Candidates.Select(c => c.CandidateId));
        Assert.Equal(10, index.Rank(Request(Brief(), top: 1)).Eligible);
    }

    [Fact]
    public void The_indexed_ids_are_those_added_and_not_removed_since()
    {
        var staying = Candidate();
        var leaving = Candidate();
        var index = Index(staying, leaving);

        index.Remove(leaving.Id);
        var ids = index.Ids();
        var newcomer = Candidate();
        newcomer.AddTo(index);

        Assert.Equal([staying.Id], ids); // a snapshot: later changes do not show in it
        Assert.Equal(new[] { staying.Id, newcomer.Id }.Order(), index.Ids().Order());
    }
}
