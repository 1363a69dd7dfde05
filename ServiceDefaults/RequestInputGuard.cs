using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using System.Text.Json;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The JSON body an endpoint binds, kept as it arrived so that a failed read can be walked field by field
/// (<see cref="JsonFieldErrors"/>) after System.Text.Json gave up at the first mistake.
/// </summary>
/// <param name="Utf8Json">The body's bytes.</param>
/// <param name="Type">The endpoint's body parameter type.</param>
/// <param name="Options">The options the endpoint reads JSON with.</param>
public sealed record JsonRequestBody(ReadOnlyMemory<byte> Utf8Json, Type Type, JsonSerializerOptions Options)
{
    /// <summary>Every mistake in the body, read as the endpoint reads it.</summary>
    public JsonFieldErrors FindErrors() => JsonFieldErrors.Find(Utf8Json.Span, Type, Options);
}

/// <summary>
/// Refuses, before any endpoint or database work, input no column can store: a NUL character (U+0000) in a
/// query-string or route value, or in any text of a JSON body (a 400 validation problem keyed by the field's
/// path). Keeps the JSON body of endpoints that bind one (see <see cref="JsonRequestBody"/>).
/// </summary>
/// <remarks>
/// PostgreSQL refuses NUL (22021) only after EF has begun its work and logged two errors with stack traces
/// for what is the caller's mistake; <see cref="UnstorableTextExceptionHandler"/> stays behind this as the last
/// line of defence. The body scan (<see cref="JsonFieldErrors.ContainsNul"/>) costs one vectorised search on a
/// body without a <c>\u0000</c> escape.
/// </remarks>
internal sealed class RequestInputGuard(RequestDelegate next, IOptions<JsonOptions> jsonOptions, IProblemDetailsService problemDetails)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (FindNulInQueryOrRoute(context) is { Count: > 0 } errors)
        {
            await WriteAsync(context, errors, "The request contains text that cannot be stored.");
            return;
        }

        if (context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>() is { RequestType: { } bodyType }
            && context.Request.HasJsonContentType()
            && context.Request.ContentLength != 0)
        {
            var body = await ReadBodyAsync(context.Request, context.RequestAborted);
            var request = new JsonRequestBody(body, bodyType, jsonOptions.Value.SerializerOptions);
            context.Features.Set(request);
            context.Request.Body = new MemoryStream(body, writable: false);
            if (JsonFieldErrors.ContainsNul(body))
            {
                // Walk now: the same problem names the NUL and any type error beside it, before the endpoint runs.
                var found = request.FindErrors();
                if (found.Malformed is null && found.Errors.Count > 0)
                {
                    await WriteAsync(context, found.Errors, BadRequestExceptionHandler.InvalidBodyTitle);
                    return;
                }
            }
        }

        await next(context);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // Kestrel's request-size limit bounds this as it bounds the framework's own read of the body.
        using var buffer = new MemoryStream(request.ContentLength is > 0 and < 1 << 20 ? (int)request.ContentLength.Value : 4096);
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    private static Dictionary<string, string[]> FindNulInQueryOrRoute(HttpContext context)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, values) in context.Request.Query)
        {
            if (name.Contains('\0', StringComparison.Ordinal) || values.Any(v => v?.Contains('\0', StringComparison.Ordinal) == true))
            {
                errors[Printable(name)] = [JsonFieldErrors.NulMessage];
            }
        }

        foreach (var (name, value) in context.Request.RouteValues)
        {
            if (value is string text && text.Contains('\0', StringComparison.Ordinal))
            {
                errors[name] = [JsonFieldErrors.NulMessage];
            }
        }

        return errors;
    }

    private static string Printable(string name) => name.Replace("\0", "\\u0000", StringComparison.Ordinal);

    private Task WriteAsync(HttpContext context, IDictionary<string, string[]> errors, string title)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new HttpValidationProblemDetails(errors)
            {
                Status = StatusCodes.Status400BadRequest,
                Title = title,
                Detail = "Nothing was changed.",
            },
        }).AsTask();
    }
}
