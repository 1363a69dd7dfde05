using System.Diagnostics;
using InterimPlatform.Matching.Data;

namespace InterimPlatform.Matching.Ranking;

/// <summary>When the index was filled from the database and how long it took: for the index status endpoint.</summary>
public sealed class IndexStatus
{
    public DateTimeOffset? LoadedAt { get; set; }

    public long LoadMilliseconds { get; set; }

    public int Loaded { get; set; }
}

/// <summary>
/// Fills the index from the database when the service starts. It is registered before the message bus,
/// and hosted services start one after another, so no event is consumed (and no ranking served) before
/// the index holds the whole pool.
/// </summary>
internal sealed class IndexStartup(IServiceScopeFactory scopes, CandidateIndex index, IndexStatus status, TimeProvider timeProvider, ILogger<IndexStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        await using var scope = scopes.CreateAsyncScope();
        var loaded = await PoolIndexLoader.LoadAsync(scope.ServiceProvider.GetRequiredService<MatchingDbContext>(), index, cancellationToken);
        status.Loaded = loaded;
        status.LoadMilliseconds = watch.ElapsedMilliseconds;
        status.LoadedAt = timeProvider.GetUtcNow();
        logger.LogInformation("Ranking index loaded {Candidates} candidates in {Milliseconds} ms", loaded, watch.ElapsedMilliseconds);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Brings one candidate's index entry up to what the database holds after a change. Re-reading under a
/// per-candidate lock means two changes committed close together can only leave the later state behind,
/// whatever order their consumers finish in.
/// </summary>
public sealed class IndexRefresh(CandidateIndex index)
{
    private readonly SemaphoreSlim[] _stripes = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    public async Task RefreshAsync(MatchingDbContext db, Guid candidateId, CancellationToken cancellationToken)
    {
        var stripe = _stripes[(candidateId.GetHashCode() & int.MaxValue) % _stripes.Length];
        await stripe.WaitAsync(cancellationToken);
        try
        {
            await PoolIndexLoader.RefreshAsync(db, index, candidateId, cancellationToken);
        }
        finally
        {
            stripe.Release();
        }
    }
}
