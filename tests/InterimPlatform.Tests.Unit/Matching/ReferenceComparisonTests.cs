using System.Text.Json;
using InterimPlatform.Matching.Ranking;
using static InterimPlatform.Tests.Unit.Matching.Samples;

namespace InterimPlatform.Tests.Unit.Matching;

/// <summary>The index's rankings against <see cref="ReferenceRanking"/>, a plain reading of docs/matching.md.</summary>
public sealed class ReferenceComparisonTests
{
    [Theory]
    [InlineData(20261123)]
    [InlineData(4711)]
    public void The_index_ranks_generated_pools_as_the_reference_does(int seed)
    {
        var generator = new PoolGenerator(seed);
        var weights = generator.Weights();
        var (pool, requests) = generator.Scenario(3000, 15);

        foreach (var set in new[] { RankingWeights.Standard, weights })
        {
            var index = Index(set, pool);
            foreach (var (request, i) in requests.Select((r, i) => (r, i)))
            {
                AssertSameRanking(index.Rank(request), ReferenceRanking.Rank(pool, request, set), $"seed {seed}, request {i}, weights {set.Version}", request);
            }
        }
    }

    [Fact]
    public void Equal_totals_are_ordered_by_candidate_id_as_postgresql_orders_uuids()
    {
        // Copies of a few candidates under random ids: most totals tie, many times over.
        var generator = new PoolGenerator(99);
        var (templates, requests) = generator.Scenario(6, 8);
        var pool = Enumerable.Range(0, 3000).Select(i => templates[i % templates.Count] with { Id = generator.Id() }).ToList();
        var index = Index(RankingWeights.Standard, pool);

        foreach (var (brief, i) in requests.Select((r, i) => (r, i)))
        {
            var request = generator.Excluding(brief, pool) with { Top = 300, IncludeCandidatesInVetting = true };
            AssertSameRanking(index.Rank(request), ReferenceRanking.Rank(pool, request, RankingWeights.Standard), $"seed 99, request {i}", request);
        }
    }

    [Fact]
    public void Ties_follow_the_bytes_of_the_uuid_as_written_not_the_guids_memory_layout()
    {
        // Big-endian byte order is the order of the text. Guid.ToByteArray() stores the first three groups
        // little-endian, SQL Server compares the last group first, and a signed comparison puts ffffffff first.
        string[] ascending =
        [
            "00000000-0000-0000-0000-000000000001",
            "00000000-0000-0000-8000-000000000000",
            "00000000-0001-0000-0000-000000000000",
            "00000001-0000-0000-0000-000000000000",
            "00000100-0000-0000-0000-000000000000",
            "01000000-0000-0000-0000-000000000000",
            "ffffffff-0000-0000-0000-000000000000",
        ];
        var index = Index([.. ascending.Reverse().Select(id => Candidate(Guid.Parse(id)))]);

        var ranked = index.Rank(Request(Brief()));

        Assert.Equal(ascending, ranked.Candidates.Select(c => c.CandidateId.ToString()));
        Assert.Single(ranked.Candidates.Select(c => c.Score).Distinct());
    }

    [Fact]
    public void A_pool_large_enough_to_be_scanned_in_parallel_ranks_as_the_reference_does()
    {
        var generator = new PoolGenerator(52_000);
        var (pool, requests) = generator.Scenario(52_000, 2);
        var index = Index(RankingWeights.Standard, pool);

        foreach (var (request, i) in requests.Select((r, i) => (r, i)))
        {
            AssertSameRanking(index.Rank(request), ReferenceRanking.Rank(pool, request, RankingWeights.Standard), $"seed 52000, request {i}", request);
        }
    }

    private static void AssertSameRanking(RankingOutcome actual, ReferenceOutcome expected, string context, RankingRequest request)
    {
        var actualLines = actual.Candidates.Select(c => Line(c.Rank, c.CandidateId, c.Score, c.Flags, c.Criteria.Select(k => (k.Criterion, k.Weight, k.Points)))).ToList();
        var expectedLines = expected.Top.Select((s, i) => Line(i + 1, s.CandidateId, s.Score, s.Flags, s.Criteria.Select(k => (k.Criterion, k.Weight, k.Points)))).ToList();
        var same = actual.Considered == expected.Considered
            && actual.Eligible == expected.Eligible
            && actual.FilteredOut.OrderBy(f => f.Key).SequenceEqual(expected.FilteredOut.OrderBy(f => f.Key))
            && actualLines.SequenceEqual(expectedLines);
        Assert.True(same, $"""
            {context}: the index and the reference disagree.
            request: {JsonSerializer.Serialize(request)}
            index:     considered {actual.Considered}, eligible {actual.Eligible}, filtered {Filtered(actual.FilteredOut)}
            reference: considered {expected.Considered}, eligible {expected.Eligible}, filtered {Filtered(expected.FilteredOut)}
            index:
            {string.Join("\n", actualLines)}
            reference:
            {string.Join("\n", expectedLines)}
            """);
    }

    private static string Line(int rank, Guid id, decimal score, IEnumerable<string> flags, IEnumerable<(string Criterion, int Weight, int Points)> criteria) =>
        $"{rank} {id} {score} [{string.Join(",", flags)}] {string.Join(" ", criteria.Select(c => $"{c.Criterion}={c.Points}×{c.Weight}"))}";

    private static string Filtered(IReadOnlyDictionary<string, int> filtered) => string.Join(", ", filtered.OrderBy(f => f.Key).Select(f => $"{f.Key} {f.Value}"));
}
