using System.Net.Sockets;
using InterimPlatform.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace InterimPlatform.Tests.Unit;

/// <summary>A 503 for a database failure says whether the request may have been applied.</summary>
public sealed class DatabaseUnavailableOutcomeTests
{
    [Fact]
    public void A_connection_that_could_not_be_opened_changed_nothing()
    {
        var refused = new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused));

        Assert.True(DatabaseUnavailableExceptionHandler.IsDatabaseUnavailable(refused));
        Assert.Equal(DatabaseUnavailableExceptionHandler.NotApplied, DatabaseUnavailableExceptionHandler.OutcomeOf(new InvalidOperationException("wrapped", refused)));
    }

    [Fact]
    public void An_error_answered_by_the_server_rolled_the_transaction_back()
    {
        var starting = new PostgresException("the database system is starting up", "FATAL", "FATAL", PostgresErrorCodes.CannotConnectNow);
        var conflict = new PostgresException("could not serialize access", "ERROR", "ERROR", PostgresErrorCodes.SerializationFailure);

        Assert.Equal(DatabaseUnavailableExceptionHandler.NotApplied, DatabaseUnavailableExceptionHandler.OutcomeOf(starting));
        Assert.Equal(DatabaseUnavailableExceptionHandler.NotApplied, DatabaseUnavailableExceptionHandler.OutcomeOf(conflict));
    }

    [Fact]
    public void A_session_ended_by_the_server_may_have_committed_first()
    {
        var shutdown = new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", PostgresErrorCodes.AdminShutdown);

        Assert.True(DatabaseUnavailableExceptionHandler.IsDatabaseUnavailable(shutdown));
        Assert.Equal(DatabaseUnavailableExceptionHandler.Unknown, DatabaseUnavailableExceptionHandler.OutcomeOf(shutdown));
    }

    [Fact]
    public void A_connection_that_broke_mid_request_may_have_committed()
    {
        var broken = new NpgsqlException("Exception while reading from stream", new EndOfStreamException("Attempted to read past the end of the stream."));

        Assert.True(DatabaseUnavailableExceptionHandler.IsDatabaseUnavailable(broken));
        Assert.Equal(DatabaseUnavailableExceptionHandler.Unknown, DatabaseUnavailableExceptionHandler.OutcomeOf(broken));
    }

    [Fact]
    public void What_the_DbContext_recorded_it_sent_decides_wherever_the_failure_is_wrapped()
    {
        // A broken connection, before anything that could commit was sent: nothing can have been applied.
        var beforeCommit = new NpgsqlException("Exception while reading from stream", new EndOfStreamException());
        beforeCommit.Data[DatabaseOutcome.DataKey] = DatabaseOutcome.NotApplied;
        // Refused, after an earlier unit of work of the same request had sent its COMMIT: something may be applied.
        var afterCommit = new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused));
        afterCommit.Data[DatabaseOutcome.DataKey] = DatabaseOutcome.Unknown;

        Assert.Equal(DatabaseOutcome.DataKey, DatabaseUnavailableExceptionHandler.OutcomeDataKey);
        Assert.Equal(DatabaseUnavailableExceptionHandler.NotApplied, DatabaseUnavailableExceptionHandler.OutcomeOf(new RetryLimitExceededException("retries ran out", beforeCommit)));
        Assert.Equal(DatabaseUnavailableExceptionHandler.NotApplied, DatabaseUnavailableExceptionHandler.OutcomeOf(new DbUpdateException("save failed", beforeCommit)));
        Assert.Equal(DatabaseUnavailableExceptionHandler.Unknown, DatabaseUnavailableExceptionHandler.OutcomeOf(afterCommit));
        Assert.True(DatabaseUnavailableExceptionHandler.IsDatabaseUnavailable(new RetryLimitExceededException("retries ran out", beforeCommit)));
    }

    [Fact]
    public void The_execution_strategy_retries_failed_connections_not_faults_of_the_work()
    {
        Assert.True(ServiceExecutionStrategy.IsConnectionFailure(new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.True(ServiceExecutionStrategy.IsConnectionFailure(new NpgsqlException("Exception while reading from stream", new EndOfStreamException())));
        Assert.True(ServiceExecutionStrategy.IsConnectionFailure(new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", PostgresErrorCodes.AdminShutdown)));
        Assert.True(ServiceExecutionStrategy.IsConnectionFailure(new PostgresException("the database system is starting up", "FATAL", "FATAL", PostgresErrorCodes.CannotConnectNow)));

        Assert.False(ServiceExecutionStrategy.IsConnectionFailure(new NpgsqlException("Exception while reading from stream", new TimeoutException())));
        Assert.False(ServiceExecutionStrategy.IsConnectionFailure(new PostgresException("could not serialize access", "ERROR", "ERROR", PostgresErrorCodes.SerializationFailure)));
        Assert.False(ServiceExecutionStrategy.IsConnectionFailure(new PostgresException("duplicate key", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation)));
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1)], ServiceExecutionStrategy.Delays);
    }

    [Fact]
    public void Retries_that_ran_out_on_a_transient_fault_are_still_transient()
    {
        var refused = new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused));

        Assert.True(TransientFaults.IsTransient(new RetryLimitExceededException("retries ran out", refused)));
    }
}
