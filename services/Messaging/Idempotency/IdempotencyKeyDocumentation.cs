using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace InterimPlatform.Messaging.Idempotency;

/// <summary>Puts the optional <c>Idempotency-Key</c> header, and its 409 and 422 answers, on each creating POST of the OpenAPI document.</summary>
internal static class IdempotencyKeyDocumentation
{
    public static Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<IdempotentCreation>().Any())
        {
            return Task.CompletedTask;
        }

        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = IdempotencyKeyHeader.Name,
            In = ParameterLocation.Header,
            Required = false,
            Description = "Makes the create safe to retry (IETF draft \"The Idempotency-Key HTTP Header Field\"). A unique value per logical create (a UUID), "
                + $"1 to {IdempotencyKeyHeader.MaxLength} printable ASCII characters, quoted or not. A retry with the same key and the same body, by the same caller "
                + "on the same route, gets the first answer (status, body, Location, ETag; header Idempotent-Replayed: true) and creates nothing more. "
                + "Keys are kept 24 hours. 409 while the first request is still running; 422 if the key was used with another body; 400 if malformed. "
                + "Answers of 500 and above (a 503 with outcome unknown) are not kept: retry with the same key.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = IdempotencyKeyHeader.MaxLength },
        });
        operation.Responses ??= [];
        operation.Responses.TryAdd("409", new OpenApiResponse { Description = "A request with the same Idempotency-Key is still being processed: retry shortly with the same key." });
        operation.Responses.TryAdd("422", new OpenApiResponse { Description = "The Idempotency-Key was already used with a different request body." });
        return Task.CompletedTask;
    }
}
