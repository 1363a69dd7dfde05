using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Matching.Data;
using InterimPlatform.Matching.Pool;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Matching.Ranking;

/// <summary>What a reconciliation did: candidates read from the database, and entries dropped because they left the pool.</summary>
public readonly record struct Reconciliation(int Loaded, int Removed);

/// <summary>Fills the index from Matching's database: at start, again for the candidates that changed, and whole after a lost connection.</summary>
public static class PoolIndexLoader
{
    private const int PageSize = 5_000;

    /// <summary>Loads every candidate of the pool (keyset pages, so memory stays flat); returns how many were indexed.</summary>
    public static Task<int> LoadAsync(MatchingDbContext db, CandidateIndex index, CancellationToken cancellationToken) =>
        LoadAsync(db, index, seen: null, cancellationToken);

    /// <summary>
    /// Reloads the whole pool and drops the entries of candidates no longer in it (erased, or their row gone):
    /// after the index may have missed changes. Entries added while it runs are never dropped: only those
    /// indexed before it started and not found by it.
    /// </summary>
    public static async Task<Reconciliation> ReconcileAsync(MatchingDbContext db, CandidateIndex index, CancellationToken cancellationToken)
    {
        var before = index.Ids();
        var seen = new HashSet<Guid>();
        var loaded = await LoadAsync(db, index, seen, cancellationToken);
        var removed = 0;
        foreach (var candidateId in before)
        {
            if (!seen.Contains(candidateId) && index.Remove(candidateId))
            {
                removed++;
            }
        }

        return new Reconciliation(loaded, removed);
    }

    /// <summary>
    /// Re-reads candidates and their placements in two queries (<c>= ANY(...)</c>) and puts the committed state
    /// into the index; candidates gone, erased or without a profile leave it.
    /// </summary>
    public static async Task RefreshAsync(MatchingDbContext db, CandidateIndex index, IReadOnlyCollection<Guid> candidateIds, CancellationToken cancellationToken)
    {
        var ids = candidateIds.ToArray();
        var candidates = await db.PoolCandidates.AsNoTracking()
            .Where(c => ids.Contains(c.CandidateId))
            .ToDictionaryAsync(c => c.CandidateId, cancellationToken);
        var placements = (await db.Placements.AsNoTracking().Where(p => ids.Contains(p.CandidateId)).ToListAsync(cancellationToken))
            .Select(p => (p.CandidateId, Period: p.Period()))
            .Where(p => p.Period is not null)
            .ToLookup(p => p.CandidateId, p => p.Period!.Value);
        foreach (var candidateId in ids)
        {
            if (candidates.GetValueOrDefault(candidateId) is { Erased: false, Profile: not null } candidate)
            {
                Apply(index, candidate, placements[candidateId]);
            }
            else
            {
                index.Remove(candidateId);
            }
        }
    }

    private static async Task<int> LoadAsync(MatchingDbContext db, CandidateIndex index, HashSet<Guid>? seen, CancellationToken cancellationToken)
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
                seen?.Add(candidate.CandidateId);
            }

            loaded += page.Count;
            if (page.Count < PageSize)
            {
                return loaded;
            }

            after = page[^1].CandidateId;
        }
    }

    private static void Apply(CandidateIndex index, PoolCandidate candidate, IEnumerable<Placement> placements) =>
        index.Upsert(
            candidate.CandidateId,
            candidate.Profile,
            new CandidateAvailability(candidate.AvailableFrom, candidate.AvailableUntil, candidate.NoticeDays, candidate.DaysPerWeek),
            new CandidateVetting(candidate.VettingStatus, candidate.ApprovedUntil),
            placements);
}
