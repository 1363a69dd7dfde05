using System.Net;
using InterimPlatform.Ops;
using InterimPlatform.Ops.Access;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace InterimPlatform.Tests.Integration.Ops;

/// <summary>The Ops service in-process, configured as the AppHost configures it: only the login link lets anyone in.</summary>
public sealed class OpsLoginTests : IDisposable
{
    private const string Token = "nCC9JAK8QghXNAgfAxFCpsVxqsaMmujb";
    private readonly OpsHost _ops = new(new Dictionary<string, string> { ["Ops:LoginToken"] = Token });

    private HttpClient Browser() => _ops.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    [Theory]
    [InlineData("/")]
    [InlineData("/messaging")]
    [InlineData("/business")]
    [InlineData("/app.css")]
    [InlineData("/_blazor/negotiate?negotiateVersion=1")]
    public async Task Without_the_cookie_nothing_is_served_and_a_page_says_to_use_the_login_link(string path)
    {
        using var browser = Browser();
        using var request = new HttpRequestMessage(path.StartsWith("/_blazor", StringComparison.Ordinal) ? HttpMethod.Post : HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/html");

        using var response = await browser.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        if (request.Method == HttpMethod.Get)
        {
            Assert.Contains("data-testid=\"login-required\"", body, StringComparison.Ordinal);
            Assert.Contains("/login?t=", body, StringComparison.Ordinal);
            Assert.DoesNotContain(Token, body, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/login?t=wrong")]
    [InlineData("/login?t=" + Token + "x")]
    [InlineData("/login?t=")]
    [InlineData("/login")]
    public async Task A_wrong_or_missing_token_is_refused_without_a_cookie(string path)
    {
        using var browser = Browser();

        using var response = await browser.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task The_right_token_sets_an_http_only_strict_cookie_and_redirects_home_where_the_pages_are_served()
    {
        using var browser = Browser();

        using var login = await browser.GetAsync($"/login?t={Token}");

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location?.OriginalString);
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith(OpsAccess.CookieName + "=", setCookie, StringComparison.Ordinal);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Token, setCookie, StringComparison.Ordinal); // a proof of the token, not the token
        var cookie = setCookie.Split(';')[0];

        foreach (var path in new[] { "/", "/messaging", "/business" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("Cookie", cookie);
            using var page = await browser.SendAsync(request);
            var html = await page.Content.ReadAsStringAsync();
            Assert.True(page.StatusCode == HttpStatusCode.OK, $"{path}: {(int)page.StatusCode} {html[..Math.Min(html.Length, 2000)]}");
            Assert.Contains("data-testid=\"shell\"", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_cookie_of_another_token_is_worthless_and_signing_out_clears_the_cookie()
    {
        using var other = new OpsHost(new Dictionary<string, string> { ["Ops:LoginToken"] = "another-run's-token" });
        using var otherBrowser = other.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var login = await otherBrowser.GetAsync("/login?t=another-run's-token");
        var staleCookie = login.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        using var browser = Browser();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("Cookie", staleCookie);
        using var refused = await browser.SendAsync(request);
        using var logout = await browser.GetAsync("/logout");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains(logout.Headers.GetValues("Set-Cookie"), c => c.StartsWith(OpsAccess.CookieName + "=;", StringComparison.Ordinal) && c.Contains("expires=", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Health_and_liveness_answer_without_the_cookie()
    {
        using var browser = Browser();

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/alive")).StatusCode);
    }

    [Fact]
    public void Without_a_login_token_the_service_refuses_to_start()
    {
        using var unconfigured = new OpsHost(new Dictionary<string, string>());

        var refused = Assert.ThrowsAny<Exception>(() => unconfigured.CreateClient());

        Assert.Contains("Ops__LoginToken", refused.GetBaseException().Message, StringComparison.Ordinal);
    }

    public void Dispose() => _ops.Dispose();

    private sealed class OpsHost(IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<OpsOptions>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        }
    }
}
