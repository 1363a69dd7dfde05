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
