using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace InterimPlatform.Messaging;

/// <summary>Faults that go away when the same work is simply tried again.</summary>
public static class TransientFaults
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState is
            PostgresErrorCodes.SerializationFailure or
            PostgresErrorCodes.DeadlockDetected or
            PostgresErrorCodes.LockNotAvailable or
            PostgresErrorCodes.TooManyConnections or
            PostgresErrorCodes.CannotConnectNow or
            PostgresErrorCodes.AdminShutdown || postgres.IsTransient,
        NpgsqlException npgsql => npgsql.IsTransient,
        TimeoutException => true,
        DbUpdateException { InnerException: { } inner } => IsTransient(inner),
        // The execution strategy's retries ran out: what the last attempt met.
        Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException { InnerException: { } inner } => IsTransient(inner),
        InvalidOperationException { InnerException: { } inner } => IsTransient(inner),
        _ => false,
    };
}
