using System.IO.Compression;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace InterimPlatform.Dashboard.Telemetry.Receivers;

/// <summary>OTLP/HTTP with protobuf bodies: <c>POST /v1/traces</c>, <c>/v1/logs</c>, <c>/v1/metrics</c>.</summary>
internal static class OtlpHttpReceiver
{
    private const string Protobuf = "application/x-protobuf";

    public static async Task<IResult> ReceiveAsync(HttpContext context, TelemetrySignal signal, TelemetryStore store, OtlpApiKey key)
    {
        if (!key.Accepts(context.Request.Headers[OtlpApiKey.HeaderName].FirstOrDefault()))
        {
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Missing or wrong OTLP API key",
                detail: $"Send the dashboard's OTLP API key in the {OtlpApiKey.HeaderName} header.");
        }
        var contentType = context.Request.ContentType;
        if (contentType is null || !contentType.StartsWith(Protobuf, StringComparison.OrdinalIgnoreCase))
        {
            // OTLP/JSON would need its own reader (hex ids, lowerCamelCase names); every .NET exporter sends protobuf.
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: $"Send OTLP export requests as {Protobuf} (OTLP/JSON is not accepted).");
        }
        byte[] request;
        try
        {
            request = await ReadBodyAsync(context.Request, context.RequestAborted);
        }
        catch (InvalidDataException exception)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unreadable body", detail: exception.Message);
        }
        try
        {
            await store.IngestAsync(signal, request, context.RequestAborted);
        }
        catch (InvalidProtocolBufferException exception)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: $"Not an OTLP {signal} export request", detail: exception.Message);
        }
        // An empty Export*ServiceResponse: everything accepted.
        return Results.Bytes([], Protobuf);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var gzip = string.Equals(request.Headers.ContentEncoding.FirstOrDefault(), "gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && request.ContentLength is { } length and <= int.MaxValue)
        {
            var body = new byte[length];
            await request.Body.ReadExactlyAsync(body, cancellationToken);
            return body;
        }
        await using var source = gzip ? new GZipStream(request.Body, CompressionMode.Decompress) : request.Body;
        using var buffer = new MemoryStream();
        await source.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }
}
