using System.Threading.Channels;
using InterimPlatform.Matching.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace InterimPlatform.Matching.Ranking;

/// <summary>
/// Keeps this replica's index following every committed change to <c>pool_candidates</c> and
/// <c>placements</c>, whoever made it. Replicas compete for the same queues, so each consumes only part of
/// the events; triggers (migration <c>FollowPoolChanges</c>) announce each changed candidate id with
/// <c>pg_notify</c> on commit, and every replica LISTENs on a connection of its own and re-reads those
/// candidates. A lost connection is re-opened with a capped backoff and followed by a reconciliation (the
/// whole pool reloaded, entries that left it dropped), since notifications sent while it was gone are lost.
/// </summary>
internal sealed partial class PoolChangeFollower(
    IServiceScopeFactory scopes,
    CandidateIndex index,
    IndexRefresh refresh,
    IndexStatus status,
    TimeProvider timeProvider,
    ILogger<PoolChangeFollower> logger) : IAsyncDisposable
{
    /// <summary>The channel the triggers of migration <c>FollowPoolChanges</c> notify; the payload is the candidate id.</summary>
    internal const string Channel = "matching_pool_changes";

    /// <summary>How the follow connection shows in <c>pg_stat_activity</c>.</summary>
    internal const string ApplicationName = "matching index follower";

    private const int BatchSize = 500;

    /// <summary>
    /// A connection whose server vanished without closing it (a TCP fault, a host gone) would wait for
    /// notifications forever: after this long without one, a query proves the server is still there.
    /// </summary>
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(15);

    private const int PingTimeoutSeconds = 10;
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(15);

    // Unbounded: the notification handler runs inside Npgsql's read and cannot wait for room. Its size is
    // bounded in practice by what the database commits while one batch is re-read.
    private readonly Channel<Guid> _changed = System.Threading.Channels.Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleReader = true });
    private NpgsqlConnection? _connection;

    /// <summary>Opens the follow connection and LISTENs: before the index loads, so no change committed during the load is missed.</summary>
    public async Task ListenAsync(CancellationToken cancellationToken) =>
        _connection = await ConnectAsync(cancellationToken);

    /// <summary>Follows changes until <paramref name="stoppingToken"/> is cancelled; returns without throwing then.</summary>
    public async Task FollowAsync(CancellationToken stoppingToken)
    {
        var draining = DrainAsync(stoppingToken);
        try
        {
            await FollowConnectionAsync(stoppingToken);
        }
        finally
        {
            _changed.Writer.TryComplete();
            await draining;
            await DropConnectionAsync();
        }
    }

    public ValueTask DisposeAsync() => DropConnectionAsync();

    /// <summary>Waits for notifications on the follow connection; re-opens it and reconciles when it is lost.</summary>
    private async Task FollowConnectionAsync(CancellationToken stoppingToken)
    {
        // Reconnection attempts since the connection last proved itself: reset only once a wait or a ping
        // succeeded on it, so a server that accepts connections and drops them at once still meets the backoff
        // (and is not sent a whole-pool reload in a tight loop).
        var attempts = 0;
        var lostAt = timeProvider.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (_connection is null)
                {
                    attempts++;
                    _connection = await ConnectAsync(stoppingToken);
                    await ReconcileAsync(attempts, timeProvider.GetElapsedTime(lostAt), stoppingToken);
                }

                if (!await _connection.WaitAsync(PingInterval, stoppingToken))
                {
                    await using var ping = new NpgsqlCommand("SELECT 1", _connection);
                    await ping.ExecuteScalarAsync(stoppingToken);
                }

                attempts = 0;
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                // Shutting down: Npgsql may report a cancelled wait as a broken connection, which is no loss to log.
                return;
            }
            catch (Exception e)
            {
                await DropConnectionAsync();
                if (status.Current.FollowingChanges)
                {
                    status.Update(s => s with { FollowingChanges = false, NotFollowingSince = timeProvider.GetUtcNow() });
                    lostAt = timeProvider.GetTimestamp();
                    LogLost(e);
                }
                else
                {
                    LogReconnectFailed(e, attempts);
                }

                try
                {
                    await Task.Delay(RetryDelay(attempts), timeProvider, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>The first reconnection at once (a dropped session, a server already back), then doubling up to the cap.</summary>
    private static TimeSpan RetryDelay(int attemptsSoFar) =>
        attemptsSoFar == 0
            ? TimeSpan.Zero
            : TimeSpan.FromMilliseconds(Math.Min(MaxRetryDelay.TotalMilliseconds, FirstRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attemptsSoFar - 1, 10))));

    /// <summary>
    /// Reloads the whole pool after the connection came back. It runs after the new LISTEN, so any change
    /// committed while it reads is also announced and re-read after it: even where it put an older state of
    /// a candidate than a refresh running beside it, the later state wins in the end.
    /// </summary>
    private async Task ReconcileAsync(int attempts, TimeSpan notFollowing, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        Reconciliation reconciled;
        await using (var scope = scopes.CreateAsyncScope())
        {
            reconciled = await PoolIndexLoader.ReconcileAsync(scope.ServiceProvider.GetRequiredService<MatchingDbContext>(), index, cancellationToken);
        }

        var now = timeProvider.GetUtcNow();
        status.Update(s => s with
        {
            FollowingChanges = true,
            NotFollowingSince = null,
            Reconciliations = s.Reconciliations + 1,
            LastReconciledAt = now,
        });
        LogReconciled(reconciled.Loaded, reconciled.Removed, index.Count, (long)timeProvider.GetElapsedTime(started).TotalMilliseconds, attempts, (long)notFollowing.TotalMilliseconds);
    }

    /// <summary>Re-reads the announced candidates in batches of distinct ids; a failed batch is kept and tried again.</summary>
    private async Task DrainAsync(CancellationToken stoppingToken)
    {
        var batch = new HashSet<Guid>();
        var failures = 0;
        try
        {
            while (true)
            {
                if (batch.Count == 0 && !await _changed.Reader.WaitToReadAsync(stoppingToken))
                {
                    return;
                }

                while (batch.Count < BatchSize && _changed.Reader.TryRead(out var candidateId))
                {
                    batch.Add(candidateId);
                }

                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await refresh.RefreshAsync(scope.ServiceProvider.GetRequiredService<MatchingDbContext>(), batch, stoppingToken);
                    batch.Clear();
                    failures = 0;
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    failures++;
                    var delay = RetryDelay(failures);
                    LogRefreshFailed(e, batch.Count, delay);
                    await Task.Delay(delay, timeProvider, stoppingToken);
                }
            }
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down (a cancelled query may surface as an Npgsql error): what is left is re-read by the
            // next start's load anyway.
        }
    }

    private async Task<NpgsqlConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(await ConnectionStringAsync(cancellationToken));
        try
        {
            await connection.OpenAsync(cancellationToken);
            connection.Notification += Announced;
            await using var listen = new NpgsqlCommand($"LISTEN {Channel}", connection);
            await listen.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            connection.Notification -= Announced;
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The service's own database, on a session of its own: unpooled, since a LISTEN belongs to one session and a broken one must not be reused.</summary>
    private async Task<string> ConnectionStringAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var connectionString = scope.ServiceProvider.GetRequiredService<MatchingDbContext>().Database.GetConnectionString()
            ?? throw new InvalidOperationException("The matching database has no connection string.");
        cancellationToken.ThrowIfCancellationRequested();
        return new NpgsqlConnectionStringBuilder(connectionString)
        {
            ApplicationName = ApplicationName,
            Pooling = false,
            CommandTimeout = PingTimeoutSeconds,
        }.ConnectionString;
    }

    private void Announced(object sender, NpgsqlNotificationEventArgs e)
    {
        if (e.Channel == Channel && Guid.TryParse(e.Payload, out var candidateId))
        {
            _changed.Writer.TryWrite(candidateId);
        }
    }

    private async ValueTask DropConnectionAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;
            connection.Notification -= Announced;
            await connection.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ranking index lost its follow connection to the matching database; changes other replicas commit are not seen until it reconnects and reconciles")]
    private partial void LogLost(Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reconnecting the ranking index's follow connection failed (attempt {Attempts})")]
    private partial void LogReconnectFailed(Exception exception, int attempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ranking index reconciled after reconnecting: {Loaded} candidates reloaded, {Removed} dropped, {Indexed} indexed, in {Milliseconds} ms (attempt {Attempts}, {NotFollowingMilliseconds} ms without following)")]
    private partial void LogReconciled(int loaded, int removed, int indexed, long milliseconds, int attempts, long notFollowingMilliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-reading {Candidates} changed candidates into the ranking index failed; retrying in {Delay}")]
    private partial void LogRefreshFailed(Exception exception, int candidates, TimeSpan delay);
}
