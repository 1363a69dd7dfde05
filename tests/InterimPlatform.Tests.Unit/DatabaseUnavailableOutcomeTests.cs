using System.Net.Sockets;
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
}
