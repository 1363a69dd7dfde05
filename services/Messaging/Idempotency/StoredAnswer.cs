using Microsoft.AspNetCore.Http;

namespace InterimPlatform.Messaging.Idempotency;

/// <summary>
/// The answer to a request made with an <c>Idempotency-Key</c>, byte for byte: status code, <c>Location</c>,
/// <c>ETag</c>, content type and body. Written the same way the first time and on every replay, so a client cannot
/// tell a replay from the first answer except by the <c>Idempotent-Replayed: true</c> header.
/// </summary>
internal sealed class StoredAnswer(int statusCode, string? location, string? etag, string? contentType, byte[] body, bool replayed) : IResult
{
    public const string ReplayedHeader = "Idempotent-Replayed";

    public int StatusCode { get; } = statusCode;

    public string? Location { get; } = location;

    public string? ETag { get; } = etag;

    public string? ContentType { get; } = contentType;

    public byte[] Body { get; } = body;

    public static StoredAnswer Replay(IdempotentRequest stored) =>
        new(stored.StatusCode, stored.Location, stored.ETag, stored.ContentType, stored.Body, replayed: true);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        if (Location is not null)
        {
            response.Headers.Location = Location;
        }

        if (ETag is not null)
        {
            response.Headers.ETag = ETag;
        }

        if (ContentType is not null)
        {
            response.ContentType = ContentType;
        }

        if (replayed)
        {
            response.Headers[ReplayedHeader] = "true";
        }

        if (Body.Length > 0)
        {
            response.ContentLength = Body.Length;
            await response.Body.WriteAsync(Body, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
