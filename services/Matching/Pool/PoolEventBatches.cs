using System.Threading.Channels;
using InterimPlatform.Matching.Data;
using InterimPlatform.Matching.Ranking;
using InterimPlatform.Messaging;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace InterimPlatform.Matching.Pool;

/// <summary>
/// Applies candidate events to the pool together (group commit): each consumer hands its event over and waits for
/// its own outcome, while one loop applies whatever events are waiting, up to <see cref="MaxBatch"/>, in one
/// transaction with their inbox rows, then refreshes the index once for all of them.
/// </summary>
/// <remarks>
/// Events stay MassTransit messages of their own, acknowledged, retried and moved to the error queue one by one:
/// when a batch fails for a reason other than a passing fault, its events are applied one at a time, so only the one
/// at fault fails. During a partner's push this replaces one transaction, two inbox round trips and two index
/// reads per event with one of each per batch.
/// </remarks>
public sealed partial class PoolEventBatches(IServiceScopeFactory scopes, IndexRefresh index, TimeProvider time, ILogger<PoolEventBatches> logger) : IAsyncDisposable
{
    /// <summary>The most events one transaction applies.</summary>
    public const int MaxBatch = 500;

    private const int ConflictAttempts = 5;

    private readonly Channel<PoolEvent> _waiting = Channel.CreateUnbounded<PoolEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _starting = new();
    private Task? _loop;

    /// <summary>
    /// Applies each change to its candidate's row once per (<see cref="PoolChange.MessageId"/>,
    /// <see cref="PoolChange.Consumer"/>), independently of the others, and completes once all are committed and the
    /// index holds them; or throws the first failure once every change has been tried, so that a redelivery finds the
    /// others applied and retries only what failed. A change applied before changes nothing (the index is refreshed all
    /// the same, in case its first attempt failed after the commit).
    /// </summary>
    public async Task ApplyAsync(IReadOnlyList<PoolChange> changes, CancellationToken cancellationToken)
    {
        EnsureStarted();
        var pending = changes.Select(c => new PoolEvent(c)).ToList();
        foreach (var change in pending)
        {
            await _waiting.Writer.WriteAsync(change, cancellationToken);
        }

        var outcomes = Task.WhenAll(pending.Select(p => p.Done.Task));
        try
        {
            await outcomes.WaitAsync(cancellationToken);
        }
        catch (Exception) when (outcomes.IsFaulted)
        {
            throw outcomes.Exception!.InnerExceptions[0];
        }
    }

    public async ValueTask DisposeAsync()
    {
        _waiting.Writer.TryComplete();
        await _stopping.CancelAsync();
        if (_loop is { } loop)
        {
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stopping.Dispose();
    }

    private void EnsureStarted()
    {
        if (Volatile.Read(ref _loop) is not null)
        {
            return;
        }

        lock (_starting)
        {
            _loop ??= Task.Run(() => RunAsync(_stopping.Token));
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var batch = new List<PoolEvent>(MaxBatch);
        while (await _waiting.Reader.WaitToReadAsync(stopping))
        {
            // No wait for more: while one batch commits, the next one gathers.
            batch.Clear();
            while (batch.Count < MaxBatch && _waiting.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            await ApplyBatchAsync(batch, stopping);
        }
    }

    private async Task ApplyBatchAsync(List<PoolEvent> batch, CancellationToken stopping)
    {
        try
        {
            await CommitWithRetriesAsync(batch, stopping);
            Complete(batch, failure: null);
        }
        catch (Exception e) when (batch.Count > 1 && !TransientFaults.IsTransient(e) && e is not OperationCanceledException)
        {
            LogBatchFailed(e, batch.Count);
            foreach (var single in batch)
            {
                try
                {
                    await CommitWithRetriesAsync([single], stopping);
                    Complete([single], failure: null);
                }
                catch (Exception failure)
                {
                    Complete([single], failure);
                }
            }
        }
        catch (Exception e)
        {
            // A passing fault (or the service stopping): each consumer's retry policy takes it from here.
            Complete(batch, e);
        }
    }

    /// <summary>Another replica changed or added one of these candidates first: a fresh attempt reads its row.</summary>
    private async Task CommitWithRetriesAsync(List<PoolEvent> batch, CancellationToken stopping)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await CommitAsync(batch, stopping);
                return;
            }
            catch (Exception e) when (IsConflict(e) && attempt < ConflictAttempts && !stopping.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), time, stopping);
            }
        }
    }

    private static bool IsConflict(Exception e) =>
        e is DbUpdateConcurrencyException || e.GetBaseException() is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    private async Task CommitAsync(List<PoolEvent> batch, CancellationToken stopping)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MatchingDbContext>();
        var candidateIds = batch.Select(e => e.Change.CandidateId).Distinct().ToList();
        await db.InUnitOfWorkAsync(
            async ct =>
            {
                db.ChangeTracker.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                var now = time.GetUtcNow();
                var messageIds = batch.Select(e => e.Change.MessageId).ToArray();
                var consumers = batch.Select(e => e.Change.Consumer).ToArray();
                // The inbox decides which events are new; the same message twice in one batch is applied once.
                var fresh = await db.Database.SqlQuery<InboxKey>(
                    $"""
                    INSERT INTO inbox_messages (message_id, consumer, received_at)
                    SELECT DISTINCT m, c, {now} FROM unnest({messageIds}::uuid[], {consumers}::text[]) AS t(m, c)
                    ON CONFLICT DO NOTHING
                    RETURNING message_id, consumer
                    """).ToListAsync(ct);
                if (fresh.Count == 0)
                {
                    await transaction.RollbackAsync(ct);
                    return false;
                }

                var toApply = new HashSet<InboxKey>(fresh);
                var ids = batch.Where(e => toApply.Contains(e.Key)).Select(e => e.Change.CandidateId).Distinct().ToList();
                var rows = await db.PoolCandidates.Where(c => ids.Contains(c.CandidateId)).ToDictionaryAsync(c => c.CandidateId, ct);
                var created = new List<PoolCandidate>();
                foreach (var pending in batch.Where(e => toApply.Remove(e.Key)))
                {
                    if (!rows.TryGetValue(pending.Change.CandidateId, out var row))
                    {
                        row = new PoolCandidate { CandidateId = pending.Change.CandidateId };
                        created.Add(row);
                        rows.Add(row.CandidateId, row);
                    }

                    row.UpdatedAt = now;
                    pending.Change.Apply(row);
                }

                await db.SaveChangesAsync(ct);
                await PoolCandidateCopy.CopyAsync((NpgsqlConnection)db.Database.GetDbConnection(), created, ct);
                await transaction.CommitAsync(ct);
                return true;
            },
            stopping);

        await index.RefreshAsync(db, candidateIds, stopping);
    }

    private static void Complete(List<PoolEvent> events, Exception? failure)
    {
        foreach (var pending in events)
        {
            if (failure is null)
            {
                pending.Done.TrySetResult();
            }
            else
            {
                pending.Done.TrySetException(failure);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} candidate events failed; applying them one by one to find the one at fault")]
    private partial void LogBatchFailed(Exception exception, int count);

    private sealed record PoolEvent(PoolChange Change)
    {
        public InboxKey Key => new(Change.MessageId, Change.Consumer);

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record InboxKey(Guid MessageId, string Consumer);
}

/// <summary>One event's change to one candidate's row, applied once per (<paramref name="MessageId"/>, <paramref name="Consumer"/>).</summary>
public sealed record PoolChange(Guid MessageId, string Consumer, Guid CandidateId, Action<PoolCandidate> Apply);
