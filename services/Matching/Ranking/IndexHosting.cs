using System.Diagnostics;
using InterimPlatform.Matching.Data;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace InterimPlatform.Matching.Ranking;

/// <summary>The index's life so far: its load at start, and whether it follows the pool's changes now.</summary>
/// <param name="Loaded">Candidates indexed by the load at start.</param>
/// <param name="FollowingChanges">Whether the index hears of every committed change to the pool right now.</param>
/// <param name="NotFollowingSince">When it stopped hearing of changes (null while it follows them).</param>
/// <param name="Reconciliations">Whole-pool reloads after the follow connection came back.</param>
/// <param name="LastReconciledAt">When the last of those finished.</param>
public sealed record IndexState(
    DateTimeOffset? LoadedAt,
    long LoadMilliseconds,
    int Loaded,
    bool FollowingChanges,
    DateTimeOffset? NotFollowingSince,
    int Reconciliations,
    DateTimeOffset? LastReconciledAt);

/// <summary>
/// The index's state for the status endpoint and the health check. Background loops change it while
/// requests read it, so it is one immutable record swapped whole: a reader never sees half an update.
/// </summary>
public sealed class IndexStatus
{
    private readonly Lock _writing = new();
    private IndexState _state = new(null, 0, 0, false, null, 0, null);

    public IndexState Current => Volatile.Read(ref _state);

    internal void Update(Func<IndexState, IndexState> change)
    {
        lock (_writing)
        {
            Volatile.Write(ref _state, change(_state));
        }
    }
}

/// <summary>
/// Fills the index from the database when the service starts, then keeps it following every committed
/// change to the pool (<see cref="PoolChangeFollower"/>). It is registered before the message bus, and
/// hosted services start one after another, so no event is consumed (and no ranking served) before the
/// index holds the whole pool.
/// </summary>
internal sealed partial class IndexStartup(
    IServiceScopeFactory scopes,
    CandidateIndex index,
    IndexStatus status,
    PoolChangeFollower follower,
    TimeProvider timeProvider,
    ILogger<IndexStartup> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // LISTEN before the load: a change another replica commits while the pool loads is then announced
        // and re-read once the load is done. The other way round, a change committed between the load's read
        // and the LISTEN would be missed until the next restart.
        await follower.ListenAsync(cancellationToken);
        var watch = Stopwatch.StartNew();
        await using (var scope = scopes.CreateAsyncScope())
        {
            var loaded = await PoolIndexLoader.LoadAsync(scope.ServiceProvider.GetRequiredService<MatchingDbContext>(), index, cancellationToken);
            status.Update(s => s with { Loaded = loaded, LoadMilliseconds = watch.ElapsedMilliseconds, LoadedAt = timeProvider.GetUtcNow(), FollowingChanges = true });
            LogLoaded(loaded, watch.ElapsedMilliseconds);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => follower.FollowAsync(stoppingToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ranking index loaded {Candidates} candidates in {Milliseconds} ms")]
    private partial void LogLoaded(int candidates, long milliseconds);
}

/// <summary>
/// Brings index entries up to what the database holds after a change. Re-reading under a per-candidate
/// lock means two changes committed close together can only leave the later state behind, whatever order
/// their refreshes finish in.
/// </summary>
public sealed class IndexRefresh(CandidateIndex index)
{
    private readonly SemaphoreSlim[] _stripes = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    public Task RefreshAsync(MatchingDbContext db, Guid candidateId, CancellationToken cancellationToken) =>
        RefreshAsync(db, [candidateId], cancellationToken);

    /// <summary>
    /// Refreshes candidates in one read, holding the locks of all of them for it, so the guarantee above holds
    /// between a consumer's refresh of its one candidate and a batch of changes announced by other replicas.
    /// Stripes are always taken in ascending order, so two refreshes cannot deadlock.
    /// </summary>
    public async Task RefreshAsync(MatchingDbContext db, IReadOnlyCollection<Guid> candidateIds, CancellationToken cancellationToken)
    {
        var stripes = candidateIds.Select(StripeOf).Distinct().Order().ToArray();
        var held = 0;
        try
        {
            for (; held < stripes.Length; held++)
            {
                await _stripes[stripes[held]].WaitAsync(cancellationToken);
            }

            await PoolIndexLoader.RefreshAsync(db, index, candidateIds, cancellationToken);
        }
        finally
        {
            for (var i = 0; i < held; i++)
            {
                _stripes[stripes[i]].Release();
            }
        }
    }

    private int StripeOf(Guid candidateId) => (candidateId.GetHashCode() & int.MaxValue) % _stripes.Length;
}

/// <summary>
/// Part of <c>/health</c>: degraded, not unhealthy, while the index does not hear of changes. The replica
/// still ranks and consumes (its own events keep reaching its index); what it may miss are changes another
/// replica commits meanwhile, and those come in with the reconciliation when the connection is back.
/// </summary>
internal sealed class IndexFollowHealthCheck(IndexStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = status.Current;
        var data = new Dictionary<string, object> { ["reconciliations"] = state.Reconciliations };
        return Task.FromResult(state.FollowingChanges
            ? HealthCheckResult.Healthy("Following every committed change to the pool.", data)
            : HealthCheckResult.Degraded(
                state.NotFollowingSince is { } since
                    ? $"Not following the pool's changes since {since:O}: reconnecting; changes made by other replicas reach this index when it has reconciled."
                    : "Not following the pool's changes yet.",
                data: data));
    }
}
