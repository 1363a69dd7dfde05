using System.Text.Json;
using System.Text.Json.Nodes;

namespace InterimPlatform.Gateway.Reference;

/// <summary>Each service's health report, as ops see it through the gateway.</summary>
public static class PlatformHealth
{
    public static IEndpointRouteBuilder MapPlatformHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/gateway/health", async (IHttpClientFactory clients, CancellationToken cancellationToken) =>
            {
                var reports = await Task.WhenAll(ApiReference.Services.Select(async service =>
                {
                    try
                    {
                        using var response = await clients.CreateClient().GetAsync($"http://{service}/health", cancellationToken);
                        var body = await response.Content.ReadAsStringAsync(cancellationToken);
                        return (service, JsonNode.Parse(body) ?? new JsonObject { ["status"] = "Unhealthy" });
                    }
                    catch (Exception failure) when (failure is HttpRequestException or JsonException or TaskCanceledException)
                    {
                        return (service, (JsonNode)new JsonObject { ["status"] = "Unreachable", ["error"] = failure.Message });
                    }
                }));
                var result = new JsonObject();
                foreach (var (service, report) in reports)
                {
                    result[service] = report;
                }

                return TypedResults.Ok(result);
            })
            .WithTags("Gateway")
            .WithName("GetPlatformHealth")
            .WithSummary("Every service's health report (database, broker, outbox backlog …), for ops");
        return app;
    }
}
