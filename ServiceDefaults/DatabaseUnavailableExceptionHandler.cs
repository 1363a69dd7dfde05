using System.Net.Sockets;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A request that failed because PostgreSQL could not be reached or dropped the connection (down, restarting,
/// killed) is a 503 problem with <c>Retry-After</c>, not a 500. (A request arriving once the database is back
/// succeeds: the services' execution strategy retries a unit of work that met a connection to the old server.)
/// The problem says honestly whether anything may have been written: <c>outcome</c> is <c>not-applied</c> when
/// nothing that could commit was sent, <c>unknown</c> once something was (a COMMIT, or a write outside a
/// transaction) and its answer may have been lost, so a client checks before repeating a request that creates
/// something. The services' DbContexts record which on the exception (<see cref="OutcomeDataKey"/>, from what they
/// sent); without that record, it is judged from the exception alone.
/// </summary>
internal sealed partial class DatabaseUnavailableExceptionHandler(IProblemDetailsService problemDetails, ILogger<DatabaseUnavailableExceptionHandler> logger) : IExceptionHandler
{
    public const string NotApplied = "not-applied";
    public const string Unknown = "unknown";

    /// <summary>Where the services' DbContexts record the outcome (InterimPlatform.Messaging's DatabaseOutcome.DataKey).</summary>
    public const string OutcomeDataKey = "InterimPlatform.Database.Outcome";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsDatabaseUnavailable(exception))
        {
            return false;
        }

        LogUnavailable(logger, exception);
        var outcome = OutcomeOf(exception);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = "1";
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The service's database is unavailable.",
                Detail = outcome == NotApplied
                    ? "Nothing was changed. Retry the request shortly."
                    : "The connection to the database broke while the request was being processed: it may or may not have been applied. Repeat a request that creates something only with the same Idempotency-Key (or check first).",
                Extensions = { ["outcome"] = outcome },
            },
        });
    }

    /// <summary>Npgsql's transient failures (connection refused, broken, server shutting down), wherever EF Core wrapped them.</summary>
    internal static bool IsDatabaseUnavailable(Exception exception) => Chain(exception).Any(e => e is NpgsqlException { IsTransient: true });

    /// <summary>
    /// What the DbContext recorded, from what it sent. Without a record: not applied when the connection could not be
    /// opened, or the server answered with an ERROR (the session lives on and rolled the transaction back); unknown
    /// when an open connection broke or the server ended the session (a FATAL such as a shutdown can arrive after a
    /// commit was made durable but before it was confirmed).
    /// </summary>
    internal static string OutcomeOf(Exception exception)
    {
        var chain = Chain(exception).ToList();
        var recorded = chain.Select(e => e.Data[OutcomeDataKey]).OfType<string>().FirstOrDefault();
        if (recorded is NotApplied or Unknown)
        {
            return recorded;
        }
        var refused = chain.OfType<SocketException>().Any(s => s.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.AddressNotAvailable);
        var rolledBack = chain.OfType<PostgresException>().Any(e => e.Severity == "ERROR" || e.SqlState == PostgresErrorCodes.CannotConnectNow);
        return refused || rolledBack ? NotApplied : Unknown;
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A request failed because the database is unavailable; answered 503.")]
    private static partial void LogUnavailable(ILogger logger, Exception exception);
}
