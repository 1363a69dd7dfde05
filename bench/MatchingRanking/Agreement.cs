using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Matching.Ranking;

namespace InterimPlatform.Bench.MatchingRanking;

/// <summary>One way two rankings differ, and the candidates it concerns.</summary>
internal sealed record Difference(string Text, params Guid[] Candidates);

/// <summary>Where two rankings of the same brief differ; an empty list when they agree.</summary>
internal static class Agreement
{
    /// <summary>The index against the SQL: the same ids in the same order, each criterion's points, the flags and the total.</summary>
    public static List<Difference> Compare(RankingOutcome index, IReadOnlyList<SqlRanked> sql)
    {
        var differences = new List<Difference>();
        if (index.Candidates.Count != sql.Count)
        {
            differences.Add(new($"the index ranked {index.Candidates.Count} candidates, the SQL {sql.Count}"));
        }

        for (var i = 0; i < Math.Min(index.Candidates.Count, sql.Count); i++)
        {
            var (ranked, row) = (index.Candidates[i], sql[i]);
            if (ranked.CandidateId != row.CandidateId)
            {
                differences.Add(new($"#{i + 1}: index {ranked.CandidateId} (total {Total(ranked)}), SQL {row.CandidateId} (total {row.Total})", ranked.CandidateId, row.CandidateId));
                continue;
            }

            var points = ranked.Criteria.ToDictionary(c => c.Criterion, c => c.Points);
            for (var c = 0; c < SqlRanking.Criteria.Length; c++)
            {
                int? fromIndex = points.TryGetValue(SqlRanking.Criteria[c], out var p) ? p : null;
                if (fromIndex != row.Points[c])
                {
                    differences.Add(new($"#{i + 1} {row.CandidateId} {SqlRanking.Criteria[c]}: index {Show(fromIndex)}, SQL {Show(row.Points[c])}", row.CandidateId));
                }
            }

            if (Total(ranked) != row.Total)
            {
                differences.Add(new($"#{i + 1} {row.CandidateId} total: index {Total(ranked)}, SQL {row.Total}", row.CandidateId));
            }

            if (ranked.Flags.Contains("in-vetting") != row.InVetting || ranked.Flags.Contains("re-vetting-due") != row.RevettingDue)
            {
                differences.Add(new($"#{i + 1} {row.CandidateId} flags: index [{string.Join(", ", ranked.Flags)}], SQL in-vetting {row.InVetting}, re-vetting-due {row.RevettingDue}", row.CandidateId));
            }
        }

        return differences;
    }

    /// <summary>
    /// Two index rankings of the same brief. <c>Ranking</c>: who is ranked where, with which score, points, weights and
    /// flags, and what was filtered out. <c>Wording</c>: explanations whose evidence text alone differs.
    /// </summary>
    public static (List<string> Ranking, List<string> Wording) Compare(RankingOutcome expected, RankingOutcome actual)
    {
        var (ranking, wording) = (new List<string>(), new List<string>());
        if (expected.Considered != actual.Considered || expected.Eligible != actual.Eligible)
        {
            ranking.Add($"considered/eligible {expected.Considered}/{expected.Eligible} vs {actual.Considered}/{actual.Eligible}");
        }

        if (!expected.FilteredOut.OrderBy(f => f.Key).SequenceEqual(actual.FilteredOut.OrderBy(f => f.Key)))
        {
            ranking.Add($"filtered out {Show(expected.FilteredOut)} vs {Show(actual.FilteredOut)}");
        }

        if (expected.Candidates.Count != actual.Candidates.Count)
        {
            ranking.Add($"{expected.Candidates.Count} vs {actual.Candidates.Count} candidates");
        }

        foreach (var (e, a) in expected.Candidates.Zip(actual.Candidates))
        {
            if (e.Rank != a.Rank || e.CandidateId != a.CandidateId || e.FullName != a.FullName || e.Score != a.Score || !e.Flags.SequenceEqual(a.Flags))
            {
                ranking.Add($"#{e.Rank}: {e.CandidateId} {e.FullName} {e.Score} [{string.Join(", ", e.Flags)}] vs #{a.Rank}: {a.CandidateId} {a.FullName} {a.Score} [{string.Join(", ", a.Flags)}]");
            }

            if (e.Criteria.Count != a.Criteria.Count)
            {
                ranking.Add($"#{e.Rank} {e.CandidateId}: {e.Criteria.Count} vs {a.Criteria.Count} criteria");
            }

            foreach (var (ec, ac) in e.Criteria.Zip(a.Criteria).Where(c => c.First != c.Second))
            {
                (ec with { Evidence = "" } == ac with { Evidence = "" } ? wording : ranking).Add(
                    $"#{e.Rank} {e.CandidateId} {ec.Criterion}: {ec.Points} × {ec.Weight} \"{ec.Evidence}\" vs {ac.Criterion}: {ac.Points} × {ac.Weight} \"{ac.Evidence}\"");
            }
        }

        return (ranking, wording);
    }

    /// <summary>The weighted sum of the points, which the index orders by.</summary>
    private static long Total(ShortlistedCandidate ranked) => ranked.Criteria.Sum(c => (long)c.Weight * c.Points);

    private static string Show(int? points) => points?.ToString() ?? "n/a";

    private static string Show(IReadOnlyDictionary<string, int> filtered) =>
        string.Join(", ", filtered.OrderBy(f => f.Key).Select(f => $"{f.Key} {f.Value}"));
}
