using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using InterimPlatform.Hosting.Processes;
using InterimPlatform.Tests.Integration.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace InterimPlatform.Tests.Integration.EndToEnd;

/// <summary>
/// The dashboard in a real browser (Debian's headless Chromium, driven by Playwright) against the real
/// AppHost: what an ops person does first. Screenshots of every page go to <c>TestResults/screenshots/</c>.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    private static readonly string[] Resources =
        ["postgres", "candidatesdb", "engagementsdb", "matchingdb", "gatewaydb", "messaging", "matching", "candidates", "engagements", "gateway"];

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Ops_log_in_with_the_printed_link_see_every_resource_running_restart_stop_and_start_services_and_follow_a_request_across_services()
    {
        var chromium = await DebianChromium.EnsureInstalledAsync(output.WriteLine, CancellationToken.None);
        var screenshots = Path.Combine(AppHostProcess.RepositoryRoot(), "TestResults", "screenshots");
        Directory.CreateDirectory(screenshots);
        foreach (var stale in new[] { "failure.png", "failure.html" })
        {
            File.Delete(Path.Combine(screenshots, stale));
        }

        var host = AppHostProcess.Start();
        try
        {
            await host.WaitUntilHealthyAsync();
            var login = host.DashboardLoginUrl ?? throw new InvalidOperationException($"The AppHost printed no dashboard link. Output:{Environment.NewLine}{host.Output}");
            var dashboard = new Uri(new Uri(login), "/");

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = chromium,
                Headless = true,
                // Root in a container has no user namespaces for Chromium's sandbox.
                Args = ["--no-sandbox"],
            });
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
            var page = await context.NewPageAsync();
            page.SetDefaultTimeout(15_000);
            try
            {
                await WalkThroughAsync(host, page, login, dashboard, screenshots);
            }
            catch
            {
                // What the browser showed when it failed, and the markup, beside the other screenshots.
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "failure.png"), FullPage = true });
                await File.WriteAllTextAsync(Path.Combine(screenshots, "failure.html"), await page.ContentAsync());
                throw;
            }
        }
        finally
        {
            await host.DisposeAsync();
            host.DeleteStateFolder();
        }
    }

    private static async Task WalkThroughAsync(AppHostProcess host, IPage page, string login, Uri dashboard, string screenshots)
    {
        {

            // Without the cookie, the dashboard shows only its login page.
            await page.GotoAsync(dashboard.ToString());
            Assert.Contains("/login", page.Url, StringComparison.Ordinal);
            await ShotAsync(page, screenshots, "01-login");

            // The printed link logs in and lands on the resources.
            await page.GotoAsync(login);
            Assert.Equal(dashboard.ToString(), page.Url);
            foreach (var resource in Resources)
            {
                await Expect(page.GetByTestId($"state-{resource}")).ToHaveAttributeAsync("data-state", "Running");
            }

            await ShotAsync(page, screenshots, "02-resources");
            await WaitUntilLiveAsync(page);

            // Restart a service from the page; its state changes arrive live, without a reload.
            var matchingPid = host.ResourceProcessIds["matching"];
            await page.GetByTestId("restart-matching").ClickAsync();
            // The confirmation (a Fluent UI alert dialog): nothing happens until it is answered.
            var confirm = page.Locator("fluent-dialog fluent-button", new() { HasText = "Restart" });
            await Expect(confirm).ToBeVisibleAsync(new() { Timeout = 15_000 });
            Assert.Equal("Running", await page.GetByTestId("state-matching").GetAttributeAsync("data-state"));
            await ShotAsync(page, screenshots, "03-restart-confirmation");
            await confirm.ClickAsync();
            await Expect(page.GetByTestId("restarts-matching")).ToHaveTextAsync("1", new() { Timeout = 60_000 });
            await Expect(page.GetByTestId("state-matching")).ToHaveAttributeAsync("data-state", "Running", new() { Timeout = 60_000 });
            Assert.NotEqual(matchingPid, host.ResourceProcessIds["matching"]);
            Assert.False(AppHostProcess.IsAlive(matchingPid), "the old matching process is gone");
            await ShotAsync(page, screenshots, "04-resources-after-restart");

            // Stop (confirmed) and Start: Exited while stopped, then Running again, on the same port.
            await page.GetByTestId("stop-engagements").ClickAsync();
            await page.Locator("fluent-dialog fluent-button", new() { HasText = "Stop" }).ClickAsync();
            await Expect(page.GetByTestId("state-engagements")).ToHaveAttributeAsync("data-state", "Exited", new() { Timeout = 30_000 });
            await page.GetByTestId("start-engagements").ClickAsync();
            await Expect(page.GetByTestId("state-engagements")).ToHaveAttributeAsync("data-state", "Running", new() { Timeout = 60_000 });
            await Expect(page.GetByTestId("restarts-engagements")).ToHaveTextAsync("1");

            // The servers too: RabbitMQ, then PostgreSQL, each restarted under the running services, which must
            // reconnect by themselves (the request below crosses both).
            foreach (var server in new[] { "messaging", "postgres" })
            {
                var serverPid = host.ResourceProcessIds[server];
                await page.GetByTestId($"restart-{server}").ClickAsync();
                await page.Locator("fluent-dialog fluent-button", new() { HasText = "Restart" }).ClickAsync();
                await Expect(page.GetByTestId($"restarts-{server}")).ToHaveTextAsync("1", new() { Timeout = 60_000 });
                await Expect(page.GetByTestId($"state-{server}")).ToHaveAttributeAsync("data-state", "Running", new() { Timeout = 60_000 });
                Assert.NotEqual(serverPid, host.ResourceProcessIds[server]);
            }

            await Expect(page.GetByTestId("state-candidatesdb")).ToHaveAttributeAsync("data-state", "Running");

            // The dark theme, still chosen after a reload.
            await page.GetByTestId("theme-switch").ClickAsync();
            await Expect(page.GetByTestId("theme-switch")).ToContainTextAsync("Light theme");
            await page.ReloadAsync();
            await WaitUntilLiveAsync(page);
            await Expect(page.GetByTestId("theme-switch")).ToContainTextAsync("Light theme");
            await ShotAsync(page, screenshots, "04b-resources-dark");
            await page.GetByTestId("theme-switch").ClickAsync();
            await Expect(page.GetByTestId("theme-switch")).ToContainTextAsync("Dark theme");

            // A request through the gateway that becomes a message: gateway → Candidates → RabbitMQ → Matching,
            // the first after both servers restarted: no service may answer it with an error.
            using var client = host.Client();
            var marker = "Solveig" + Guid.NewGuid().ToString("N")[..8];
            var created = await client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo($"{marker} Dahl", $"{marker}@example.no"));
            Assert.True(HttpStatusCode.Created == created.StatusCode, $"{created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
            var candidateId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            await Eventually.GetAsync(
                async () => (await client.GetAsync($"/api/matching/candidates/{candidateId}")).IsSuccessStatusCode ? "" : null,
                TimeSpan.FromSeconds(30),
                "the candidate in the restarted Matching");

            await page.GotoAsync(new Uri(dashboard, "/resources/gateway").ToString());
            await Expect(page.GetByTestId("env-OTEL_EXPORTER_OTLP_HEADERS")).ToHaveTextAsync("••••••••");
            // The gateway's own /health, asked by the page: the overall answer, then each of its checks.
            await Expect(page.GetByTestId("health-report").Nth(1)).ToBeVisibleAsync();
            await ShotAsync(page, screenshots, "05-resource-details");

            await page.GotoAsync(new Uri(dashboard, "/console/matching").ToString());
            await WaitUntilLiveAsync(page);
            var lines = page.Locator("[data-testid=console-lines] .console-line");
            await Expect(lines.First).ToBeVisibleAsync();
            await ShotAsync(page, screenshots, "06-console");

            // Filter: only matching lines stay. Pause: new lines wait. Download: the whole log as text.
            await page.GetByTestId("console-filter").Locator("input").FillAsync("Now listening");
            await Expect(lines.First).ToContainTextAsync("Now listening");
            foreach (var text in await lines.AllInnerTextsAsync())
            {
                Assert.Contains("Now listening", text, StringComparison.Ordinal);
            }

            await page.GetByTestId("console-pause").ClickAsync();
            await Expect(page.GetByTestId("console-pause")).ToContainTextAsync("Resume");
            await page.GetByTestId("console-pause").ClickAsync();
            await Expect(page.GetByTestId("console-pause")).ToContainTextAsync("Pause");
            var download = await page.APIRequest.GetAsync(new Uri(dashboard, "/api/console/matching").ToString());
            Assert.Equal(200, download.Status);
            Assert.Contains("Now listening on", await download.TextAsync(), StringComparison.Ordinal);

            foreach (var (path, name) in new[] { ("/structured-logs", "07-structured-logs"), ("/metrics", "08-metrics"), ("/messaging", "09-messaging"), ("/business", "10-business") })
            {
                await page.GotoAsync(new Uri(dashboard, path).ToString());
                await ShotAsync(page, screenshots, name);
            }

            await OpenTraceAcrossServicesAsync(page, dashboard, screenshots);
        }
    }

    /// <summary>The traces list, then the trace of the candidate's registration: one trace from the gateway to Matching.</summary>
    private static async Task OpenTraceAcrossServicesAsync(IPage page, Uri dashboard, string screenshots)
    {
        await page.GotoAsync(new Uri(dashboard, "/traces").ToString());
        await WaitUntilLiveAsync(page);
        // The registration among the test's many other requests: the name filter finds it. The list follows new
        // telemetry by itself; Matching's consumer span arrives a little after the request's.
        await page.GetByTestId("traces-name-filter").Locator("input").FillAsync("POST /api/candidates");
        const string acrossThree = "[...document.querySelectorAll('[data-testid=trace-row]')].find(a => Number(a.dataset.resourceCount) >= 3)";
        await page.WaitForFunctionAsync($"() => !!({acrossThree})", null, new() { Timeout = 30_000 });
        await ShotAsync(page, screenshots, "11-traces");

        var traceId = await page.EvaluateAsync<string>($"() => ({acrossThree}).dataset.traceId");
        await page.Locator($"[data-testid=trace-row][data-trace-id='{traceId}']").ClickAsync();
        await page.WaitForURLAsync($"**/traces/{traceId}");
        foreach (var resource in new[] { "gateway", "candidates", "matching" })
        {
            await Expect(page.Locator($"[data-testid=span-row][data-resource='{resource}']").First).ToBeVisibleAsync(new() { Timeout = 15_000 });
        }

        // A span's details, as ops would look at one.
        await page.Locator("[data-testid=span-row][data-resource='matching']").First.ClickAsync();
        await Expect(page.GetByTestId("span-details")).ToBeVisibleAsync();
        await ShotAsync(page, screenshots, "12-trace-detail");
    }

    /// <summary>Waits until the page is connected to the server: before that, buttons do nothing.</summary>
    private static Task WaitUntilLiveAsync(IPage page) =>
        Expect(page.GetByTestId("shell")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 15_000 });

    /// <summary>Saves the page as it is and checks that it fits 1280 px without scrolling sideways.</summary>
    private static async Task ShotAsync(IPage page, string folder, string name)
    {
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"{name} scrolls sideways by {overflow} px at 1280×800");
    }
}

/// <summary>
/// Debian's Chromium, which the browser tests drive (Playwright cannot download browsers here). Installed
/// with apt-get when missing and this process is root, as the AppHost installs its servers; otherwise the
/// test fails with the command to run.
/// </summary>
internal static class DebianChromium
{
    public const string Executable = "/usr/bin/chromium";
    private const string InstallCommand = "apt-get install -y chromium";
    private static readonly SemaphoreSlim s_install = new(1, 1);

    public static async Task<string> EnsureInstalledAsync(Action<string> report, CancellationToken cancellationToken)
    {
        if (File.Exists(Executable))
        {
            return Executable;
        }

        if (!Posix.IsRoot || CommandRunner.FindOnPath("apt-get") is null)
        {
            throw new InvalidOperationException($"Chromium is not installed ({Executable} is missing). Run: sudo {InstallCommand} (or scripts/install-prerequisites.sh)");
        }

        await s_install.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(Executable))
            {
                report($"chromium is not installed: installing it now with '{InstallCommand}'...");
                var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
                string[] install = ["-o", "DPkg::Lock::Timeout=300", "install", "-y", "-q", "chromium"];
                var (code, log) = await CommandRunner.RunAsync("apt-get", install, cancellationToken, environment: environment);
                if (code != 0)
                {
                    // A fresh machine may have no package lists yet.
                    await CommandRunner.RunAsync("apt-get", ["-o", "DPkg::Lock::Timeout=300", "update", "-q"], cancellationToken, environment: environment);
                    (code, log) = await CommandRunner.RunAsync("apt-get", install, cancellationToken, environment: environment);
                }

                if (code != 0 || !File.Exists(Executable))
                {
                    throw new InvalidOperationException($"Installing chromium failed (exit code {code}). Run: sudo {InstallCommand}{Environment.NewLine}{log}");
                }

                report("chromium installed.");
            }
        }
        finally
        {
            s_install.Release();
        }

        return Executable;
    }
}
