using System.Net;
using InterimPlatform.Ops;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.FluentUI.AspNetCore.Components;

namespace InterimPlatform.Tests.Unit.Ops.Pages;

/// <summary>
/// The ops pages' server-rendered HTML (what the browser gets before the circuit connects), from a small host
/// with stand-ins for their backends: each page renders, with the rows and markers the browser relies on.
/// </summary>
public sealed class PagesRenderingTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync() => (_app, _client) = await StartAsync(withBackends: true);

    /// <param name="withBackends">
    /// Serve stand-ins for RabbitMQ's management API (<c>/mgmt</c>) and the gateway (<c>/gw</c>: the SLA endpoints
    /// and the partner intake tallies) from the same host; without them the pages point at a port nothing listens on.
    /// </param>
    private static async Task<(WebApplication App, HttpClient Client)> StartAsync(bool withBackends)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddFluentUIComponents();
        string? self = null; // known once the host listens; options are read on the first request
        builder.Services.AddOpsPages(
            m => m.ManagementUrl = new Uri(withBackends ? self + "mgmt/" : "http://127.0.0.1:9/"),
            b =>
            {
                b.GatewayUrl = new Uri(withBackends ? self + "gw/" : "http://127.0.0.1:9/");
                b.ApiKey = "ipk.test.key";
                b.Partners = ["globalise", "nordic-interim"];
            });
        var app = builder.Build();
        app.UseAntiforgery();
        app.MapRazorComponents<TestShell>().AddInteractiveServerRenderMode().AddAdditionalAssemblies(typeof(OpsOptions).Assembly);
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
        // Candidates' answer for the window asked (the page asks for the last hour in minutes): the key is checked as the gateway would.
        app.MapGet("/gw/api/candidates/partner-intake/tallies", (HttpContext context, DateTimeOffset from, DateTimeOffset to, int bucketMinutes) =>
        {
            if (context.Request.Headers["X-Api-Key"] != "ipk.test.key")
            {
                return Results.StatusCode(StatusCodes.Status401Unauthorized);
            }

            var start = new DateTimeOffset(from.UtcTicks - from.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
            return Results.Json(new
            {
                from = start, to = start.AddHours(1), bucketMinutes,
                partners = new[]
                {
                    new { partnerId = "globalise", accepted = 120, duplicate = 3, rejected = 7, stale = 0 },
                    new { partnerId = "late-partner", accepted = 0, duplicate = 0, rejected = 2, stale = 0 },
                },
                buckets = new[]
                {
                    new { bucketStart = start, partnerId = "globalise", accepted = 100, duplicate = 3, rejected = 5, stale = 0 },
                    new { bucketStart = start.AddMinutes(30), partnerId = "globalise", accepted = 20, duplicate = 0, rejected = 2, stale = 0 },
                    new { bucketStart = start.AddMinutes(30), partnerId = "late-partner", accepted = 0, duplicate = 0, rejected = 2, stale = 0 },
                },
            });
        });
    }

    [Fact]
    public async Task The_overview_links_both_pages()
    {
        var html = await GetAsync("/");

        Assert.Contains("href=\"/messaging\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/business\"", html, StringComparison.Ordinal);
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
    public async Task Business_health_charts_partner_ingestion_from_the_tallies_per_status_and_per_partner()
    {
        var html = await GetAsync("/business");

        Assert.Contains("data-status=\"accepted\" data-count=\"120\"", html, StringComparison.Ordinal);
        Assert.Contains("data-status=\"rejected\" data-count=\"9\"", html, StringComparison.Ordinal);
        Assert.Contains("6.8%", html, StringComparison.Ordinal); // 9 rejected of 132
        // The configured partners in their order (one without messages), then one that sent without being configured.
        var globalise = html.IndexOf("data-partner=\"globalise\" data-total=\"130\"", StringComparison.Ordinal);
        var nordic = html.IndexOf("data-partner=\"nordic-interim\" data-total=\"0\"", StringComparison.Ordinal);
        var late = html.IndexOf("data-partner=\"late-partner\" data-total=\"2\"", StringComparison.Ordinal);
        Assert.True(globalise >= 0 && nordic > globalise && late > nordic, "partners in order");
        Assert.Equal(2, Count(html, "data-testid=\"line-chart\""));
        Assert.Contains("<polyline", html, StringComparison.Ordinal);
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
        Assert.Contains("Partner ingestion unavailable", business, StringComparison.Ordinal);
        Assert.Contains("could not be read from RabbitMQ", business, StringComparison.Ordinal);
    }

    private async Task<string> GetAsync(string path)
    {
        var response = await _client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        if (Environment.GetEnvironmentVariable("OPS_PAGES_DUMP") is { Length: > 0 } folder)
        {
            // To look at the markup by hand: OPS_PAGES_DUMP=/tmp/pages dotnet test … --filter "FullyQualifiedName~Ops.Pages"
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(Path.Combine(folder, (path.Trim('/') is { Length: > 0 } name ? name : "index").Replace('/', '_').Replace('?', '_') + ".html"), html);
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

/// <summary>The least of an App.razor: a document around the router over the ops pages.</summary>
public sealed class TestShell : ComponentBase
{
    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.OpenElement(0, "html");
        builder.OpenElement(1, "body");
        builder.OpenComponent<Router>(2);
        builder.AddComponentParameter(3, nameof(Router.AppAssembly), typeof(OpsOptions).Assembly);
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
