using System.Net;
using InterimPlatform.Dashboard;
using InterimPlatform.Dashboard.Components.Pages;
using InterimPlatform.Dashboard.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.FluentUI.AspNetCore.Components;

namespace InterimPlatform.Tests.Unit.Dashboard.Pages;

/// <summary>
/// The pages' server-rendered HTML (what the browser gets before the circuit connects), from a small host with a
/// fake telemetry store: each page renders, with the rows and markers the browser test relies on.
/// </summary>
public sealed class PagesRenderingTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync() => (_app, _client) = await StartAsync(withBackends: true);

    /// <param name="withBackends">
    /// Serve stand-ins for RabbitMQ's management API (<c>/mgmt</c>) and the gateway's SLA endpoints (<c>/gw</c>)
    /// from the same host; without them the Messaging and Business pages point at a port nothing listens on.
    /// </param>
    private static async Task<(WebApplication App, HttpClient Client)> StartAsync(bool withBackends)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddFluentUIComponents();
        builder.Services.AddSingleton<ITelemetryQueries, FakeTelemetry>();
        string? self = null; // known once the host listens; options are read on the first request
        builder.Services.AddDashboardOperationsPages(
            m => m.ManagementUrl = new Uri(withBackends ? self + "mgmt/" : "http://127.0.0.1:9/"),
            b => { b.GatewayUrl = new Uri(withBackends ? self + "gw/" : "http://127.0.0.1:9/"); b.ApiKey = "ipk.test.key"; b.Partners = ["globalise"]; });
        var app = builder.Build();
        app.UseAntiforgery();
        app.MapRazorComponents<TestShell>().AddInteractiveServerRenderMode().AddAdditionalAssemblies(typeof(Traces).Assembly);
        if (withBackends)
        {
            MapBackends(app);
        }

        await app.StartAsync();
        self = app.Urls.First().TrimEnd('/') + "/";
        return (app, new HttpClient { BaseAddress = new Uri(self) });
    }

    private static void MapBackends(WebApplication app)
    {
        app.MapGet("/mgmt/api/queues/{vhost}", () => Results.Json(new object[]
        {
            new { name = "matching-candidate-registered", type = "classic", messages_ready = 0, messages_unacknowledged = 1, consumers = 1, message_stats = new { publish_details = new { rate = 12.5 }, deliver_get_details = new { rate = 12.4 } } },
            new { name = "matching-candidate-registered_error", type = "classic", messages_ready = 2, messages_unacknowledged = 0, consumers = 0 },
        }));
        app.MapPost("/mgmt/api/queues/{vhost}/{queue}/get", () => Results.Json(new[]
        {
            new { payload = "{}", payload_bytes = 2, payload_encoding = "string", redelivered = true, properties = new { message_id = "m-1", headers = new Dictionary<string, object> { ["x-rejection-reasons"] = "candidate.fullName: A name is required." } } },
        }));
        var now = DateTimeOffset.UtcNow;
        object Engagement(string title, string status, double started) => new
        {
            engagementId = Guid.NewGuid(), title, state = "shortlisting", clockStartedAt = now.AddDays(-started),
            milestones = new[] { new { milestone = "proposed", dueAt = now.AddDays(10 - started), reachedAt = (DateTimeOffset?)null, status, daysLeft = 10 - started } },
        };
        app.MapGet("/gw/api/engagements/sla/breached", () => Results.Json(new[] { Engagement("CFO cover, Oslo", "breached", 11) }));
        app.MapGet("/gw/api/engagements/sla/at-risk", () => Results.Json(new[] { Engagement("Plant turnaround, Gent", "at-risk", 9) }));
        app.MapGet("/gw/api/engagements/sla/kpis", () => Results.Json(new
        {
            from = "2026-08-25", to = "2026-11-24", engagements = 12,
            timeToShortlist = new { count = 10, medianDays = 3.5, p90Days = 5.1 },
            timeToProposal = new { count = 8, medianDays = 7.25, p90Days = 10.4 },
            timeToPlacement = new { count = 5, medianDays = 15.0, p90Days = 19.0 },
            slaCompliancePercent = 87.5, breaches = 1, replacements = 0,
            targets = new { shortlistReadyDays = 5, proposedDays = 10, placedDays = 20, atRiskDays = 2.0 },
        }));
    }

    [Fact]
    public async Task The_traces_list_has_one_row_per_trace_with_its_id_and_resource_count()
    {
        var html = await GetAsync("/traces");

        Assert.Contains("data-testid=\"trace-row\"", html, StringComparison.Ordinal);
        Assert.Contains($"data-trace-id=\"{FakeTelemetry.TraceId}\"", html, StringComparison.Ordinal);
        Assert.Contains("data-resource-count=\"3\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trace_shows_every_span_as_a_waterfall_row_across_its_services()
    {
        var html = await GetAsync($"/traces/{FakeTelemetry.TraceId}");

        Assert.Equal(FakeTelemetry.Spans.Count, Count(html, "data-testid=\"span-row\""));
        foreach (var resource in new[] { "gateway", "candidates", "matching" })
        {
            Assert.Contains($"data-resource=\"{resource}\"", html, StringComparison.Ordinal);
        }

        Assert.Contains($"/structured-logs?traceId={FakeTelemetry.TraceId}", html, StringComparison.Ordinal);
        Assert.Contains("Trace not found", await GetAsync("/traces/0000"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_are_listed_newest_first_and_filtered_by_the_query_string()
    {
        var all = await GetAsync("/structured-logs");
        var one = await GetAsync("/structured-logs?resource=candidates");

        Assert.Equal(2, Count(all, "data-testid=\"log-row\""));
        Assert.True(all.IndexOf("data-log-id=\"2\"", StringComparison.Ordinal) < all.IndexOf("data-log-id=\"1\"", StringComparison.Ordinal));
        Assert.Equal(1, Count(one, "data-testid=\"log-row\""));
        Assert.Contains($"/traces/{FakeTelemetry.TraceId}", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_list_a_resources_instruments_and_chart_the_one_asked_for()
    {
        var html = await GetAsync("/metrics?resource=candidates&instrument=http.server.request.duration");

        Assert.Contains("interimplatform.outbox.pending", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"line-chart\"", html, StringComparison.Ordinal);
        Assert.Contains("<polyline", html, StringComparison.Ordinal);
        Assert.Contains("p99", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Messaging_lists_every_queue_with_its_depth_and_error_queues_first()
    {
        var html = await GetAsync("/messaging");

        Assert.Equal(2, Count(html, "data-testid=\"queue-row\""));
        Assert.True(html.IndexOf("data-queue=\"matching-candidate-registered_error\"", StringComparison.Ordinal)
            < html.IndexOf("data-queue=\"matching-candidate-registered\"", StringComparison.Ordinal));
        Assert.Contains("data-depth=\"2\"", html, StringComparison.Ordinal);
        Assert.Contains("12.5", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Business_health_shows_breached_then_at_risk_engagements_the_kpis_and_the_latest_rejections()
    {
        var html = await GetAsync("/business");

        var breached = html.IndexOf("data-sla=\"breached\"", StringComparison.Ordinal);
        var atRisk = html.IndexOf("data-sla=\"at-risk\"", StringComparison.Ordinal);
        Assert.True(breached >= 0 && atRisk > breached, "breached first, then at risk");
        Assert.Contains("CFO cover, Oslo", html, StringComparison.Ordinal);
        Assert.Contains("87.5%", html, StringComparison.Ordinal);
        Assert.Contains("7.3 d", html, StringComparison.Ordinal); // median time to proposal, 7.25 days
        Assert.Contains("candidate.fullName: A name is required.", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"partner-intake\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Messaging_and_business_render_and_say_what_they_could_not_read()
    {
        var (app, client) = await StartAsync(withBackends: false);
        await using var _ = app;
        using var __ = client;

        var messaging = await client.GetStringAsync("/messaging");
        var business = await client.GetStringAsync("/business");

        Assert.Contains("RabbitMQ could not be read", messaging, StringComparison.Ordinal);
        Assert.Contains("Read-only", messaging, StringComparison.Ordinal);
        Assert.Contains("SLA figures unavailable", business, StringComparison.Ordinal);
        Assert.Contains("could not be read from RabbitMQ", business, StringComparison.Ordinal);
    }

    private async Task<string> GetAsync(string path)
    {
        var response = await _client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        if (Environment.GetEnvironmentVariable("DASHBOARD_PAGES_DUMP") is { Length: > 0 } folder)
        {
            // To look at the markup by hand: DASHBOARD_PAGES_DUMP=/tmp/pages dotnet test … --filter PagesRenderingTests
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(Path.Combine(folder, path.Trim('/').Replace('/', '_').Replace('?', '_') + ".html"), html);
        }

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}{Environment.NewLine}{html[..Math.Min(html.Length, 3000)]}");
        return html;
    }

    private static int Count(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }
}

/// <summary>The least of an App.razor: a document around the router over the dashboard's pages.</summary>
public sealed class TestShell : ComponentBase
{
    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.OpenElement(0, "html");
        builder.OpenElement(1, "body");
        builder.OpenComponent<Router>(2);
        builder.AddComponentParameter(3, nameof(Router.AppAssembly), typeof(Traces).Assembly);
        builder.AddComponentParameter(4, nameof(Router.Found), (RenderFragment<RouteData>)(route => b =>
        {
            b.OpenComponent<RouteView>(0);
            b.AddComponentParameter(1, nameof(RouteView.RouteData), route);
            b.CloseComponent();
        }));
        builder.CloseComponent();
        builder.CloseElement();
        builder.CloseElement();
    }
}
