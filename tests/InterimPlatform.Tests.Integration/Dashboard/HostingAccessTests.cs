using System.Net;
using System.Runtime.CompilerServices;
using InterimPlatform.Dashboard.Hosting;
using InterimPlatform.Dashboard.Resources;
using InterimPlatform.Hosting.Processes;

namespace InterimPlatform.Tests.Integration.Dashboard;

/// <summary>
/// Who gets in: the real dashboard host (Kestrel on loopback, as the AppHost runs it) over HTTP, with a
/// fixed resource list in place of the orchestrator.
/// </summary>
public sealed class HostingAccessTests : IAsyncLifetime
{
    private const string Token = "run-token-3f9a";
    private DashboardHost _host = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _host = await DashboardHost.StartAsync(
            new DashboardOptions
            {
                Port = PortAllocator.GetFreePort(),
                OtlpGrpcPort = PortAllocator.GetFreePort(),
                OtlpHttpPort = PortAllocator.GetFreePort(),
                LoginToken = Token,
                OtlpApiKey = "otlp-key",
                StorageDirectory = Path.Combine(Path.GetTempPath(), "dashboard-access-" + Guid.NewGuid().ToString("N")[..8]),
            },
            new FixedResources(),
            TimeProvider.System,
            CancellationToken.None);
        // Every redirect and cookie is looked at by the test itself.
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = new Uri(_host.Options.BaseUrl),
        };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Without_the_cookie_pages_redirect_to_the_login_page_and_everything_else_is_401()
    {
        var page = await SendAsync(HttpMethod.Get, "/console/matching?x=1", html: true);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/login?returnUrl=%2Fconsole%2Fmatching%3Fx%3D1", page.Headers.Location?.OriginalString);

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/api/resources")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/api/console/matching")).StatusCode);
        // Blazor's live connection is refused too, not only the pages that open it.
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1")).StatusCode);

        var login = await SendAsync(HttpMethod.Get, "/login", html: true);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains("name=\"token\"", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_token_sets_no_cookie_and_says_so()
    {
        var response = await SendAsync(HttpMethod.Get, "/login?t=not-the-token", html: true);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login?error=invalid", response.Headers.Location?.OriginalString);
        Assert.False(response.Headers.Contains("Set-Cookie"));

        var form = await SendAsync(HttpMethod.Post, "/login", content: new FormUrlEncodedContent([new("token", "")]));
        Assert.Equal("/login?error=invalid", form.Headers.Location?.OriginalString);
        Assert.False(form.Headers.Contains("Set-Cookie"));

        var page = await SendAsync(HttpMethod.Get, "/login?error=invalid", html: true);
        Assert.Contains("not this run", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_printed_link_sets_an_HttpOnly_SameSite_Strict_cookie_that_opens_pages_and_the_API()
    {
        Assert.StartsWith(_host.Options.BaseUrl + "/login?t=", _host.LoginUrl, StringComparison.Ordinal);
        var response = await SendAsync(HttpMethod.Get, new Uri(_host.LoginUrl).PathAndQuery, html: true);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        var setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Token, setCookie, StringComparison.Ordinal);
        var cookie = setCookie.Split(';')[0];

        var api = await SendAsync(HttpMethod.Get, "/api/resources", cookie: cookie);
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        Assert.Contains("\"matching\"", await api.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var page = await SendAsync(HttpMethod.Get, "/", html: true, cookie: cookie);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("state-matching", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var download = await SendAsync(HttpMethod.Get, "/api/console/matching", cookie: cookie);
        Assert.Equal("text/plain", download.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Now listening", await download.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A cookie made up by anyone else, or left by an earlier run (another token), opens nothing.
        var forged = await SendAsync(HttpMethod.Get, "/api/resources", cookie: cookie.Split('=')[0] + "=forged");
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }

    [Fact]
    public async Task The_token_typed_in_the_form_logs_in_and_returns_to_the_page_asked_for_but_never_to_another_site()
    {
        var form = await SendAsync(HttpMethod.Post, "/login", content: new FormUrlEncodedContent([new("token", Token), new("returnUrl", "/console/matching")]));
        Assert.Equal("/console/matching", form.Headers.Location?.OriginalString);
        Assert.True(form.Headers.Contains("Set-Cookie"));

        var elsewhere = await SendAsync(HttpMethod.Get, $"/login?t={Token}&returnUrl=//evil.example/", html: true);
        Assert.Equal("/", elsewhere.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Telemetry_is_taken_only_on_the_OTLP_ports_and_pages_are_served_only_on_the_UI_port()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Post, "/v1/traces")).StatusCode);
        using var otlp = new HttpClient { BaseAddress = new Uri($"http://localhost:{_host.Options.OtlpHttpPort}") };
        Assert.Equal(HttpStatusCode.NotFound, (await otlp.GetAsync(new Uri($"/login?t={Token}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otlp.GetAsync(new Uri("/api/resources", UriKind.Relative))).StatusCode);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, bool html = false, string? cookie = null, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (html)
        {
            request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml");
        }

        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        return await _http.SendAsync(request);
    }

    private sealed class FixedResources : IResourceSource
    {
        private static readonly DashboardResource Matching = new(
            "matching", "Project", "Running", "Healthy", 4242, null, DateTimeOffset.UnixEpoch, null, 0,
            ["http://127.0.0.1:5000"], ["messaging"], new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-otlp-api-key=secret" },
            [new HealthReport("GET /health", "Healthy", "passed")], [ResourceCommand.Stop, ResourceCommand.Restart], null);

        public IReadOnlyList<DashboardResource> Resources => [Matching];

        public async IAsyncEnumerable<DashboardResource> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            yield break;
        }

        public IReadOnlyList<ConsoleLine> ConsoleTail(string resource, int count) =>
            [new ConsoleLine(1, DateTimeOffset.UnixEpoch, "Now listening on: http://127.0.0.1:5000", false)];

        public async IAsyncEnumerable<ConsoleLine> WatchConsoleAsync(string resource, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            yield break;
        }

        public Task<CommandResult> ExecuteAsync(string resource, ResourceCommand command, CancellationToken cancellationToken) =>
            Task.FromResult(new CommandResult(true));
    }
}
