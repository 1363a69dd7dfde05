using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Matching.Data;
using InterimPlatform.Matching.Pool;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Matching.Ranking;

/// <summary>Fills the index from Matching's database: at start, and again for one candidate after each change.</summary>
public static class PoolIndexLoader
{
    private const int PageSize = 5_000;

    /// <summary>Loads every candidate of the pool (keyset pages, so memory stays flat); returns how many were indexed.</summary>
    public static async Task<int> LoadAsync(MatchingDbContext db, CandidateIndex index, CancellationToken cancellationToken)
    {
        var placements = (await db.Placements.AsNoTracking().ToListAsync(cancellationToken))
            .Select(p => (p.CandidateId, Period: p.Period()))
            .Where(p => p.Period is not null)
            .ToLookup(p => p.CandidateId, p => p.Period!.Value);
        var loaded = 0;
        var after = Guid.Empty;
        while (true)
        {
            var page = await db.PoolCandidates.AsNoTracking()
                .Where(c => c.CandidateId > after && !c.Erased && c.Profile != null)
                .OrderBy(c => c.CandidateId)
                .Take(PageSize)
                .ToListAsync(cancellationToken);
            foreach (var candidate in page)
            {
                Apply(index, candidate, placements[candidate.CandidateId]);
            }

            loaded += page.Count;
            if (page.Count < PageSize)
            {
                return loaded;
            }

            after = page[^1].CandidateId;
        }
    }

    /// <summary>Re-reads one candidate and their placements and puts the committed state into the index.</summary>
    public static async Task RefreshAsync(MatchingDbContext db, CandidateIndex index, Guid candidateId, CancellationToken cancellationToken)
    {
        var candidate = await db.PoolCandidates.AsNoTracking().FirstOrDefaultAsync(c => c.CandidateId == candidateId, cancellationToken);
        if (candidate is null || candidate.Erased || candidate.Profile is null)
        {
            index.Remove(candidateId);
            return;
        }

        var placements = await db.Placements.AsNoTracking().Where(p => p.CandidateId == candidateId).ToListAsync(cancellationToken);
        Apply(index, candidate, placements.Select(p => p.Period()).OfType<Placement>());
    }

    private static void Apply(CandidateIndex index, PoolCandidate candidate, IEnumerable<Placement> placements) =>
        index.Upsert(
            candidate.CandidateId,
            candidate.Profile,
            new CandidateAvailability(candidate.AvailableFrom, candidate.AvailableUntil, candidate.NoticeDays, candidate.DaysPerWeek),
            new CandidateVetting(candidate.VettingStatus, candidate.ApprovedUntil),
            placements);
}
