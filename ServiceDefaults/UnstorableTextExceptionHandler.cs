using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Text PostgreSQL cannot hold (a NUL character, <c>\u0000</c>, in a field or a query parameter) is the
/// caller's mistake, not the service's: a 400 problem, not a 500. PostgreSQL refuses it in text (22021) and
/// in jsonb (22P05) before anything is written, so nothing has changed.
/// </summary>
/// <remarks>
/// The last line of defence only: <see cref="RequestInputGuard"/> refuses a NUL in a request body, query string
/// or route value before the endpoint runs (EF would log two errors with stack traces for the caller's mistake
/// when the database refuses it). What still reaches this is text from elsewhere, a message for instance.
/// </remarks>
internal sealed class UnstorableTextExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsUnstorableText(exception))
        {
            return false;
        }

        httpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request contains text that cannot be stored.",
                Detail = "Text may not contain the NUL character (U+0000). Nothing was changed.",
            },
        });
    }

    internal static bool IsUnstorableText(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is PostgresException { SqlState: PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter })
            {
                return true;
            }
        }

        return false;
    }
}
