using System.Text.Json.Nodes;
using Microsoft.Extensions.Caching.Memory;
using Scalar.AspNetCore;

namespace InterimPlatform.Gateway.Reference;

/// <summary>
/// One API reference for the whole platform: each service's OpenAPI document, fetched through service
/// discovery and served by the gateway with the gateway as the server and its authentication schemes,
/// rendered by Scalar at <c>/api-reference</c> — the first page an integration engineer opens.
/// </summary>
public static class ApiReference
{
    public static readonly IReadOnlyList<string> Services = ["candidates", "engagements", "matching"];

    public static IEndpointRouteBuilder MapApiReference(this IEndpointRouteBuilder app)
    {
        // The gateway's own document is "gateway"; the services' are fetched from them.
        app.MapOpenApi("/openapi/{documentName:regex(^gateway$)}.json");
        app.MapGet("/openapi/{service:regex(^(candidates|engagements|matching)$)}.json", DocumentAsync).ExcludeFromDescription();
        app.MapScalarApiReference("/api-reference", options => options
            .WithTitle("InterimPlatform API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .AddDocuments([.. Services.Select(s => new ScalarDocument(s, char.ToUpperInvariant(s[0]) + s[1..])), new ScalarDocument("gateway", "Gateway")])
            .AddPreferredSecuritySchemes("apiKey")
            .AddApiKeyAuthentication("apiKey", key => key.Name = Access.ApiKeyAuthentication.Header)
            // Self-contained: the page runs where the platform runs, often without a way out, and must not tell
            // anyone outside who reads what. Scalar's script is served from the package; its fonts, telemetry,
            // AI agent, MCP, client button (client.scalar.com) and developer toolbar (Deploy, Generate SDK, Share)
            // would reach scalar.com, and so would the "Powered by" link.
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp()
            .HideDeveloperTools()
            .HideClientButton()
            .WithCustomCss(".darklight-reference a[href^='https://scalar.com'] { display: none; }"));
        return app;
    }

    private static async Task<IResult> DocumentAsync(string service, IHttpClientFactory clients, IMemoryCache cache, CancellationToken cancellationToken)
    {
        var document = await cache.GetOrCreateAsync($"openapi:{service}", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1);
            var json = await clients.CreateClient().GetStringAsync($"http://{service}/openapi/v1.json", cancellationToken);
            return AsGatewayDocument(JsonNode.Parse(json)!.AsObject()).ToJsonString();
        });
        return Results.Text(document!, "application/json");
    }

    /// <summary>The service's paths, as callers reach them: through the gateway, with an API key or a bearer token.</summary>
    public static JsonObject AsGatewayDocument(JsonObject document)
    {
        document["servers"] = new JsonArray(new JsonObject { ["url"] = "/", ["description"] = "the gateway" });
        var components = document["components"] as JsonObject ?? [];
        document["components"] = components;
        components["securitySchemes"] = new JsonObject
        {
            ["apiKey"] = new JsonObject { ["type"] = "apiKey", ["in"] = "header", ["name"] = Access.ApiKeyAuthentication.Header, ["description"] = "An API key for your role (the AppHost writes development keys to .apphost/api-keys.json)." },
            ["bearer"] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["bearerFormat"] = "JWT", ["description"] = "A token from the identity provider the gateway is configured with (Gateway:Jwt)." },
        };
        document["security"] = new JsonArray(new JsonObject { ["apiKey"] = new JsonArray() }, new JsonObject { ["bearer"] = new JsonArray() });
        return document;
    }
}
