using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL;

namespace InterimPlatform.Messaging;

/// <summary>
/// What a failed unit of work may have done to the database, as a 503 problem reports it: <see cref="NotApplied"/>
/// when nothing that could commit was sent, <see cref="Unknown"/> once something was (an autocommitting write, or a
/// COMMIT), even if its answer never came. Every database failure of a service's DbContext carries it in
/// <see cref="Exception.Data"/> under <see cref="DataKey"/>.
/// </summary>
public static class DatabaseOutcome
{
    /// <summary>The <see cref="Exception.Data"/> key (the 503 handler in ServiceDefaults reads the same string).</summary>
    public const string DataKey = "InterimPlatform.Database.Outcome";

    public const string NotApplied = "not-applied";

    public const string Unknown = "unknown";

    /// <summary>The outcome recorded on <paramref name="exception"/> or one it wraps; null when none was.</summary>
    public static string? Of(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current.Data[DataKey] is string outcome)
            {
                return outcome;
            }
        }

        return null;
    }
}

/// <summary>
/// How often a DbContext has sent something that could commit (a COMMIT, or a write outside a transaction,
/// which commits by itself): whether its answer came back or not, from then on the context's work may be applied.
/// </summary>
internal sealed class CommitLedger
{
    private static readonly ConditionalWeakTable<DbContext, CommitLedger> Ledgers = new();
    private int _sent;

    public static CommitLedger Of(DbContext context) => Ledgers.GetValue(context, _ => new CommitLedger());

    public int Sent => Volatile.Read(ref _sent);

    public void RecordSent() => Interlocked.Increment(ref _sent);
}

/// <summary>
/// Keeps the <see cref="CommitLedger"/>, records the <see cref="DatabaseOutcome"/> on every database failure, and
/// has SaveChanges always use a transaction of its own (<see cref="AutoTransactionBehavior.Always"/>): its writes
/// then go out with a BEGIN, and only its COMMIT can commit, so a write that meets a broken connection can be tried
/// again. (Npgsql sends the BEGIN with the first statement: no extra round trip; the COMMIT is one.)
/// </summary>
internal sealed class CommitTrackingInterceptor : DbCommandInterceptor, IDbTransactionInterceptor, IDbConnectionInterceptor, ISaveChangesInterceptor
{
    public static readonly CommitTrackingInterceptor Instance = new();

    private CommitTrackingInterceptor()
    {
    }

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        SaveInTransaction(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        SaveInTransaction(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Sending(command, eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Sending(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Sending(command, eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Sending(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Sending(command, eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Sending(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Record(eventData.Exception, eventData.Context);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Record(eventData.Exception, eventData.Context);
        return Task.CompletedTask;
    }

    public InterceptionResult TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
    {
        Committing(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        Committing(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Record(eventData.Exception, eventData.Context);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Record(eventData.Exception, eventData.Context);
        return Task.CompletedTask;
    }

    public void ConnectionFailed(DbConnection connection, ConnectionErrorEventData eventData) => Record(eventData.Exception, eventData.Context);

    public Task ConnectionFailedAsync(DbConnection connection, ConnectionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Record(eventData.Exception, eventData.Context);
        return Task.CompletedTask;
    }

    private static void SaveInTransaction(DbContext? context)
    {
        if (context is not null && context.Database.AutoTransactionBehavior == AutoTransactionBehavior.WhenNeeded)
        {
            context.Database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
        }
    }

    /// <summary>
    /// Outside a transaction a statement commits by itself: anything but a query may have written something.
    /// Inside one, nothing commits before the COMMIT (a broken connection rolls it back).
    /// </summary>
    private static void Sending(DbCommand command, CommandEventData eventData)
    {
        if (eventData.Context is { } context
            && command.Transaction is null
            && context.Database.CurrentTransaction is null
            && eventData.CommandSource is not (CommandSource.LinqQuery or CommandSource.FromSqlQuery or CommandSource.ValueGenerator or CommandSource.Scaffolding))
        {
            CommitLedger.Of(context).RecordSent();
        }
    }

    private static void Committing(DbContext? context)
    {
        if (context is not null)
        {
            CommitLedger.Of(context).RecordSent();
        }
    }

    private static void Record(Exception exception, DbContext? context)
    {
        if (context is not null)
        {
            exception.Data[DatabaseOutcome.DataKey] = CommitLedger.Of(context).Sent > 0 ? DatabaseOutcome.Unknown : DatabaseOutcome.NotApplied;
        }
    }
}

/// <summary>
/// Every service's execution strategy: a unit of work that failed because its connection did (PostgreSQL restarted,
/// killed, or not accepting connections yet; a pooled connection to a server that is gone) is run again at once,
/// then after 250 ms and after 1 s, on a new connection: the pool is cleared first, so the retry does not take
/// another connection to the old server. Never once the failed attempt may have committed (see
/// <see cref="CommitLedger"/>): its outcome is unknown, and repeating it could apply it twice. Faults of the work
/// itself (serialization failures, deadlocks, timeouts) are not retried here: their callers decide.
/// </summary>
/// <remarks>
/// A retrying strategy refuses transactions begun outside it: a unit of work with an explicit transaction runs in
/// <see cref="UnitOfWork.InUnitOfWorkAsync{T}"/> (or <c>Database.CreateExecutionStrategy().ExecuteAsync</c>).
/// </remarks>
public sealed class ServiceExecutionStrategy(ExecutionStrategyDependencies dependencies)
    : NpgsqlRetryingExecutionStrategy(dependencies, Delays.Length, Delays[^1], errorCodesToAdd: null)
{
    /// <summary>The wait before each retry.</summary>
    public static readonly TimeSpan[] Delays = [TimeSpan.Zero, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1)];

    private int _sentBeforeAttempt;

    private CommitLedger Ledger => CommitLedger.Of(Dependencies.CurrentContext.Context);

    /// <summary>
    /// The connection failed before the server could do anything with the work, or dropped it: refused, broken,
    /// ended by a shutdown, a server still starting. Not a timeout: the server may be busy with it.
    /// </summary>
    public static bool IsConnectionFailure(Exception? exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState is
            PostgresErrorCodes.AdminShutdown or
            PostgresErrorCodes.CrashShutdown or
            PostgresErrorCodes.CannotConnectNow or
            PostgresErrorCodes.TooManyConnections or
            PostgresErrorCodes.ConnectionException or
            PostgresErrorCodes.ConnectionDoesNotExist or
            PostgresErrorCodes.ConnectionFailure or
            PostgresErrorCodes.SqlClientUnableToEstablishSqlConnection or
            PostgresErrorCodes.SqlServerRejectedEstablishmentOfSqlConnection,
        NpgsqlException { IsTransient: true } npgsql => npgsql.InnerException is not TimeoutException,
        _ => false,
    };

    protected override void OnFirstExecution()
    {
        base.OnFirstExecution();
        _sentBeforeAttempt = Ledger.Sent;
    }

    protected override void OnRetry()
    {
        base.OnRetry();
        // Npgsql clears the pool itself when a connection breaks on a server that went away; once more here, so no
        // retry takes an idle connection to the old server whatever the failure looked like.
        if (Dependencies.CurrentContext.Context.Database.GetDbConnection() is NpgsqlConnection connection)
        {
            NpgsqlConnection.ClearPool(connection);
        }

        _sentBeforeAttempt = Ledger.Sent;
    }

    protected override bool ShouldRetryOn(Exception? exception) =>
        IsConnectionFailure(exception) && Ledger.Sent == _sentBeforeAttempt;

    protected override TimeSpan? GetNextDelay(Exception lastException)
    {
        var retry = ExceptionsEncountered.Count - 1;
        return retry < Delays.Length ? Delays[retry] : null;
    }
}

/// <summary>Units of work with an explicit transaction, under the service's execution strategy.</summary>
public static class UnitOfWork
{
    /// <summary>
    /// Runs <paramref name="operation"/> (which begins, and commits, its own transaction) under the context's
    /// execution strategy: when an attempt fails on its connection before anything could commit, whatever the
    /// attempt left tracked is forgotten and the whole operation runs again. So it must read what it needs itself.
    /// </summary>
    public static Task<T> InUnitOfWorkAsync<T>(this DbContext db, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        var attempts = 0;
        return db.Database.CreateExecutionStrategy().ExecuteAsync(
            async ct =>
            {
                if (attempts++ > 0)
                {
                    db.ChangeTracker.Clear();
                }

                return await operation(ct).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <summary>
    /// Begins a transaction, or joins the one already open on the context: a request made with an
    /// <c>Idempotency-Key</c> runs whole in one transaction, which also stores its answer (see
    /// <c>Idempotency.IdempotencyFilter</c>), so committing is then that transaction's owner's to do and the joined
    /// handle's commit does nothing.
    /// </summary>
    public static async Task<IDbContextTransaction> BeginOrJoinTransactionAsync(this DbContext db, CancellationToken cancellationToken) =>
        db.Database.CurrentTransaction is { } open
            ? new JoinedTransaction(open)
            : await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>A transaction someone else began: commit and dispose are theirs; a rollback undoes it for everyone.</summary>
    private sealed class JoinedTransaction(IDbContextTransaction outer) : IDbContextTransaction
    {
        public Guid TransactionId => outer.TransactionId;

        public void Commit()
        {
        }

        public Task CommitAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public void Rollback() => outer.Rollback();

        public Task RollbackAsync(CancellationToken cancellationToken = default) => outer.RollbackAsync(cancellationToken);

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
