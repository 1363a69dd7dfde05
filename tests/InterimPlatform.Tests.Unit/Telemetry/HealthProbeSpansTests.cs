using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace InterimPlatform.Tests.Unit.Telemetry;

/// <summary>The gateway probes every instance's /health and /alive; those probes must not fill the traces list.</summary>
// Activity sources and listeners are process-wide: tests that export spans must not run beside each other.
[Collection(TelemetryListenersCollection.Name)]
public sealed class HealthProbeSpansTests
{
    [Fact]
    public async Task A_probe_nobody_asked_for_is_not_exported_but_a_probe_inside_a_request_and_any_other_call_are()
    {
        await using var target = await StartTargetAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.ConfigureOpenTelemetry();
        var exported = new List<string>();
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .AddSource("Test.Requests")
            .AddProcessor(new SimpleActivityExportProcessor(new CapturingExporter(exported))));
        using var host = builder.Build();
        _ = host.Services.GetRequiredService<TracerProvider>();
        using var client = new HttpClient { BaseAddress = target.Urls.Select(u => new Uri(u)).First() };
        using var requests = new ActivitySource("Test.Requests");

        (await client.GetAsync("/alive")).EnsureSuccessStatusCode();
        (await client.GetAsync("/health")).EnsureSuccessStatusCode();
        (await client.GetAsync("/api/candidates")).EnsureSuccessStatusCode();
        using (requests.StartActivity("GET /api/gateway/health", ActivityKind.Server))
        {
            (await client.GetAsync("/health")).EnsureSuccessStatusCode();
        }

        Assert.Equal(["/api/candidates", "/health", "GET /api/gateway/health"], exported);
    }

    private static async Task<WebApplication> StartTargetAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/alive", () => "ok");
        app.MapGet("/health", () => "ok");
        app.MapGet("/api/candidates", () => "[]");
        await app.StartAsync();
        return app;
    }

    private sealed class CapturingExporter(List<string> exported) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            // The target server runs in this process; its own spans are not what is tested.
            foreach (var activity in batch)
            {
                if (activity.Source.Name == "Microsoft.AspNetCore")
                {
                    continue;
                }

                // A client call is named by its method only; its path tells the calls apart.
                exported.Add(activity.Kind == ActivityKind.Client && activity.GetTagItem("url.full") is string url
                    ? new Uri(url).AbsolutePath
                    : activity.DisplayName);
            }

            return ExportResult.Success;
        }
    }
}
