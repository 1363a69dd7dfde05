using System.Net;
using InterimPlatform.Dashboard;
using InterimPlatform.Dashboard.Components.Pages;
using InterimPlatform.Dashboard.Telemetry;
using Microsoft.AspNetCore.Builder;
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

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddFluentUIComponents();
        builder.Services.AddSingleton<ITelemetryQueries, FakeTelemetry>();
        // Nothing listens there: the Messaging and Business pages must still render, with their problem shown.
        builder.Services.AddDashboardOperationsPages(
            m => m.ManagementUrl = new Uri("http://127.0.0.1:9/"),
            b => { b.GatewayUrl = new Uri("http://127.0.0.1:9/"); b.ApiKey = "ipk.test.key"; b.Partners = ["globalise"]; });
        _app = builder.Build();
        _app.UseAntiforgery();
        _app.MapRazorComponents<TestShell>().AddInteractiveServerRenderMode().AddAdditionalAssemblies(typeof(Traces).Assembly);
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
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
    public async Task Messaging_and_business_render_and_say_what_they_could_not_read()
    {
        var messaging = await GetAsync("/messaging");
        var business = await GetAsync("/business");

        Assert.Contains("RabbitMQ could not be read", messaging, StringComparison.Ordinal);
        Assert.Contains("Read-only", messaging, StringComparison.Ordinal);
        Assert.Contains("SLA figures unavailable", business, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"partner-intake\"", business, StringComparison.Ordinal);
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
