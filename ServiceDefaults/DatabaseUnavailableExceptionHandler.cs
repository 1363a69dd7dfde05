using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A request that failed because PostgreSQL could not be reached or dropped the connection (down, restarting,
/// killed) is a 503 problem with <c>Retry-After</c>, not a 500: nothing was written, and the same request
/// will work once the database is back (Npgsql replaces the connections a dead server left in its pool).
/// </summary>
internal sealed partial class DatabaseUnavailableExceptionHandler(IProblemDetailsService problemDetails, ILogger<DatabaseUnavailableExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsDatabaseUnavailable(exception))
        {
            return false;
        }

        LogUnavailable(logger, exception);
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
                Detail = "Nothing was changed. Retry the request shortly.",
            },
        });
    }

    /// <summary>Npgsql's transient failures (connection refused, broken, server shutting down), wherever EF Core wrapped them.</summary>
    internal static bool IsDatabaseUnavailable(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is NpgsqlException { IsTransient: true })
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A request failed because the database is unavailable; answered 503.")]
    private static partial void LogUnavailable(ILogger logger, Exception exception);
}
