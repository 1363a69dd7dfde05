using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting.ApplicationModel;
using InterimPlatform.Tests.Integration.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace InterimPlatform.Tests.Integration.EndToEnd;

/// <summary>
/// The Aspire dashboard in a real browser (Debian's headless Chromium, driven by Playwright) against the platform
/// the AppHost's model starts: what an ops person does with it. Elements are found as a person finds them, by
/// their text, role and accessible name. Screenshots of each step go to a temp folder named in the test output,
/// kept when a test fails (with the page's markup), deleted when it passes unless INTERIM_KEEP_SCREENSHOTS=1.
/// </summary>
[Collection(AspirePlatformCollection.Name)]
public sealed class DashboardBrowserTests(AspirePlatform platform, ITestOutputHelper output)
{
    private static readonly float s_timeout = 30_000;

    /// <summary>Telemetry reaches the dashboard in batches, every few seconds from each service.</summary>
    private static readonly float s_telemetryTimeout = 60_000;

    /// <summary>A restart: stopping, starting, then healthy, on a machine busy with other builds.</summary>
    private static readonly float s_restartTimeout = 120_000;

    [Fact]
    public async Task An_operator_logs_in_with_the_printed_link_follows_a_request_across_services_and_restarts_Matching_and_PostgreSQL()
    {
        try
        {
            await WalkAsync();
        }
        finally
        {
            // The platform is shared: whatever happened above, every resource is left running and healthy.
            await LeaveAllRunningAsync();
        }

        Task WalkAsync() => WithBrowserAsync(nameof(An_operator_logs_in_with_the_printed_link_follows_a_request_across_services_and_restarts_Matching_and_PostgreSQL), async (page, shots) =>
        {
            // 1. The link the AppHost prints logs in and lands on the resources.
            await page.GotoAsync(platform.DashboardLoginUrl);
            await Expect(page).ToHaveURLAsync(new Uri(new Uri(platform.DashboardLoginUrl), "/").ToString());
            await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Resources", Exact = true })).ToBeVisibleAsync();

            // 2. Every resource listed, running and healthy; no other row in any other state.
            var columns = page.GetByRole(AriaRole.Region, new() { Name = "Resources", Exact = true }).GetByRole(AriaRole.Columnheader);
            await Expect(columns.Nth(1)).ToHaveAccessibleNameAsync("State");
            await Expect(columns.Nth(2)).ToHaveAccessibleNameAsync("Start time");
            await ExpectAllRunningAsync(page);
            await shots.TakeAsync("resources");

            // 3. A request through the gateway, then its trace: gateway → candidates → (RabbitMQ) → matching.
            using var client = platform.Client();
            var traceId = await RegisterCandidateAsync(client, "Solveig");
            await OpenTraceAsync(page, traceId, shots);

            // 4. Matching restarted from its actions menu; running again, it answers through the gateway.
            await RestartAsync(page, "matching", shots);
            var ranking = await client.PostAsJsonAsync("/api/matching/rankings", new { brief = Brief(), top = 5 });
            Assert.True(ranking.StatusCode == HttpStatusCode.Created, $"ranking after Matching's restart: {(int)ranking.StatusCode} {await ranking.Content.ReadAsStringAsync()}");

            // 5. PostgreSQL restarted under the running services: its databases and the services healthy again, the
            // first write after it succeeds.
            await RestartAsync(page, "postgres", shots);
            await RegisterCandidateAsync(client, "Ingrid");
            await shots.TakeAsync("after-postgres-restart");
        });
    }

    private async Task LeaveAllRunningAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(s_restartTimeout));
        foreach (var resource in new[] { "matching", "postgres" })
        {
            if (platform.App.ResourceNotifications.TryGetCurrentState(resource, out var current)
                && KnownResourceStates.TerminalStates.Contains(current.Snapshot.State?.Text))
            {
                output.WriteLine($"{resource} was left {current.Snapshot.State?.Text}: starting it again.");
                await platform.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, timeout.Token);
            }
        }

        await platform.WaitUntilHealthyAsync(AspirePlatform.Resources, timeout.Token);
    }

    [Fact]
    public async Task An_on_call_engineer_finds_a_failed_message_under_its_service_peeks_and_replays_it_and_charts_the_10_day_promise()
    {
        await WithBrowserAsync(nameof(An_on_call_engineer_finds_a_failed_message_under_its_service_peeks_and_replays_it_and_charts_the_10_day_promise), async (page, shots) =>
        {
            var candidateId = Guid.NewGuid();
            var messageId = await PlatformMessages.ParkCandidateRegisteredAsync(platform, candidateId, "the read model was locked", CancellationToken.None);
            const string queue = "matching-candidate-registered-error";

            // 1. The failed message shows as its error queue, under Matching, Degraded; so is Matching, from its next check.
            await page.GotoAsync(platform.DashboardLoginUrl);
            await Expect(Row(page, queue)).ToBeVisibleAsync(new() { Timeout = s_telemetryTimeout });
            // (The cell's accessible name is then its tooltip, "running but not in a healthy state"; its text is the state.)
            await Expect(StateCell(page, queue)).ToContainTextAsync("Running (Degraded)", new() { Timeout = s_telemetryTimeout });
            await Expect(StateCell(page, "matching")).ToContainTextAsync("Running (Degraded)", new() { Timeout = s_telemetryTimeout });
            await shots.TakeAsync("error-queue", "1-error-queue-under-its-service");

            // 2. Peek: the message's id, type, when and why it failed.
            // (Highlighted in the row: its accessible name is the command's description.)
            await Row(page, queue).GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Show the first 20 failed messages") }).ClickAsync();
            // (The dashboard's dialogs are Fluent web components: found by what they show.)
            var peek = Dialog(page).Filter(new() { HasText = messageId });
            await Expect(peek).ToBeVisibleAsync();
            await Expect(peek.GetByText("the read model was locked")).ToBeVisibleAsync();
            await shots.TakeAsync("peek", "2-peek");
            await page.Keyboard.PressAsync("Escape");
            await Expect(peek).ToBeHiddenAsync();

            // 3. Replay, for this message only, confirmed: it goes back to Matching, which consumes it.
            await Row(page, queue).GetByRole(AriaRole.Button, new() { Name = "Actions", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Menuitem, new() { Name = "Replay", Exact = true }).ClickAsync();
            // The dashboard asks for confirmation first, then for the command's arguments.
            var confirmation = Dialog(page).Filter(new() { HasText = "Move the failed messages back to matching-candidate-registered" });
            await Expect(confirmation).ToBeVisibleAsync();
            await shots.TakeAsync("replay-confirmation", "3-replay-confirmation");
            await DialogButton(confirmation, "Yes").ClickAsync();
            // (The label names Fluent's field, not its input: the input is found inside the dialog that shows it.)
            var arguments = Dialog(page).Filter(new() { HasText = "Message ids" });
            var ids = arguments.Locator("fluent-text-input input");
            await Expect(ids).ToBeVisibleAsync();
            await ids.FillAsync(messageId);
            await shots.TakeAsync("replay-arguments", "4-replay-arguments");
            await DialogButton(arguments, "(OK|Run|Submit|Replay|Execute)").ClickAsync();
            // (The command's message goes to the dashboard's notifications; its text is checked through the command API
            // in ErrorQueueOperationsTests.) The queue empties and leaves the list; Matching consumed the message.
            using var recruiter = platform.Client("recruiter");
            await Eventually.GetAsync(async () => (await recruiter.GetAsync($"/api/matching/candidates/{candidateId}")).IsSuccessStatusCode ? "found" : null,
                TimeSpan.FromMilliseconds(s_telemetryTimeout), "the replayed candidate in Matching's pool");
            await Expect(Row(page, queue)).ToHaveCountAsync(0, new() { Timeout = s_telemetryTimeout });
            await shots.TakeAsync("replayed", "5-replayed");

            // 4. The 10-day promise on the Metrics page, from Engagements.
            await page.GotoAsync(new Uri(new Uri(platform.DashboardLoginUrl), "/metrics/resource/engagements").ToString());
            var breached = page.GetByText("interimplatform.engagements.sla.breached", new() { Exact = true }).First;
            await Expect(breached).ToBeVisibleAsync(new() { Timeout = s_telemetryTimeout });
            await Expect(page.GetByText("interimplatform.engagements.sla.at_risk", new() { Exact = true }).First).ToBeVisibleAsync();
            await shots.TakeAsync("sla-metric", "6-sla-metric");
        });
    }

    [Fact]
    public async Task Without_the_login_token_the_dashboard_shows_only_its_login_page()
    {
        await WithBrowserAsync(nameof(Without_the_login_token_the_dashboard_shows_only_its_login_page), async (page, shots) =>
        {
            var dashboard = new Uri(new Uri(platform.DashboardLoginUrl), "/");
            foreach (var path in new[] { "/", "/traces", "/structuredlogs", "/consolelogs/resource/gateway" })
            {
                await page.GotoAsync(new Uri(dashboard, path).ToString());
                await Expect(page).ToHaveURLAsync(new Regex("/login\\?returnUrl="));
                await ExpectLoginPageAsync(page);
                // Nothing of the platform: no resource name, no grid.
                await Expect(page.GetByRole(AriaRole.Table)).ToHaveCountAsync(0);
                foreach (var resource in AspirePlatform.Resources)
                {
                    await Expect(page.GetByText(resource, new() { Exact = true })).ToHaveCountAsync(0);
                }
            }

            await shots.TakeAsync("login-page");

            // A wrong token is refused: still the login page.
            await page.GotoAsync(new Uri(dashboard, "/login?t=" + new string('0', 32)).ToString());
            await ExpectLoginPageAsync(page);
            await Expect(page.GetByRole(AriaRole.Table)).ToHaveCountAsync(0);
            await shots.TakeAsync("wrong-token");
        });
    }

    [Fact]
    public async Task The_API_reference_loads_only_from_the_gateway_and_offers_nothing_that_leads_outside()
    {
        await WithBrowserAsync(nameof(The_API_reference_loads_only_from_the_gateway_and_offers_nothing_that_leads_outside), async (page, shots) =>
        {
            // Every request the page makes, answered or not: anything not for this machine is recorded and refused.
            var outside = new List<string>();
            await page.Context.RouteAsync("**/*", async route =>
            {
                var host = new Uri(route.Request.Url).Host;
                if (host is "localhost" or "127.0.0.1" or "[::1]" || route.Request.Url.StartsWith("data:", StringComparison.Ordinal) || route.Request.Url.StartsWith("blob:", StringComparison.Ordinal))
                {
                    await route.ContinueAsync();
                    return;
                }

                lock (outside)
                {
                    outside.Add(route.Request.Url);
                }

                await route.AbortAsync();
            });

            await page.GotoAsync(new Uri(platform.GatewayUrl, "/api-reference").ToString());
            await Expect(page.GetByText("Register a candidate", new() { Exact = false }).First).ToBeVisibleAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await shots.TakeAsync("api-reference");

            Assert.True(outside.Count == 0, "requests outside the machine: " + string.Join(", ", outside.Distinct()));
            // Fonts and scripts named in the markup are fetched only when a glyph or a feature needs them: none may be elsewhere.
            var markup = await page.ContentAsync();
            var elsewhere = Regex.Matches(markup, @"(url\(\s*['""]?|src=""|<link[^>]*href="")(?<url>https?://[^'"")\s]+)")
                .Select(m => m.Groups["url"].Value)
                .Where(url => new Uri(url).Host is not ("localhost" or "127.0.0.1") && !url.StartsWith("http://www.w3.org/", StringComparison.Ordinal))
                .ToList();
            var visibleLinks = await page.Locator("a[href^='http']:visible").EvaluateAllAsync<string[]>("links => links.map(a => a.href)");
            Assert.True(elsewhere.Count == 0, "resources outside the machine: " + string.Join(", ", elsewhere.Distinct()));
            Assert.True(visibleLinks.All(link => new Uri(link).Host is "localhost" or "127.0.0.1"), "links outside: " + string.Join(", ", visibleLinks));
            foreach (var leadsOutside in new[] { "Deploy", "Generate SDK", "Share", "Ask AI" })
            {
                await Expect(page.GetByRole(AriaRole.Button, new() { Name = leadsOutside, Exact = true })).ToHaveCountAsync(0);
                await Expect(page.GetByRole(AriaRole.Link, new() { Name = leadsOutside, Exact = true })).ToHaveCountAsync(0);
            }
        });
    }

    /// <summary>The dashboard's login form: its title and the field for the token.</summary>
    private static async Task ExpectLoginPageAsync(IPage page)
    {
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "InterimPlatform dashboard" })).ToBeVisibleAsync();
        await Expect(TextField(page, "Enter token to log in...")).ToBeVisibleAsync();
    }

    /// <summary>Every resource's row shows Running, healthy (its accessible name is the state alone: an unhealthy one says so).</summary>
    private static async Task ExpectAllRunningAsync(IPage page)
    {
        foreach (var resource in AspirePlatform.Resources)
        {
            await Expect(StateCell(page, resource)).ToHaveAccessibleNameAsync("Running", new() { Timeout = s_restartTimeout });
        }

        var rows = DataRows(page);
        await Expect(rows).ToHaveCountAsync(AspirePlatform.Resources.Count);
        for (var i = 0; i < AspirePlatform.Resources.Count; i++)
        {
            await Expect(rows.Nth(i).GetByRole(AriaRole.Gridcell).Nth(1)).ToHaveAccessibleNameAsync("Running");
        }
    }

    /// <summary>Registers a candidate through the gateway; returns the request's trace id (the gateway's X-Correlation-Id).</summary>
    private async Task<string> RegisterCandidateAsync(HttpClient client, string firstName)
    {
        var marker = firstName + Guid.NewGuid().ToString("N")[..8];
        var created = await client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo($"{marker} Dahl", $"{marker}@example.no"));
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"POST /api/candidates: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        var traceId = Assert.Single(created.Headers.GetValues("X-Correlation-Id"));
        output.WriteLine($"POST /api/candidates {(int)created.StatusCode}, trace {traceId}");
        return traceId;
    }

    private static async Task OpenTraceAsync(IPage page, string traceId, Screenshots shots)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = "Traces", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/traces$"));
        // The registrations only (the box filters by a trace's name: the gateway's route), the newest last. Other tests'
        // requests may make the list longer than the page, and only the rows in view exist: scroll to the end, as a
        // person would, until this request's trace (its id is in the name cell's label) is there. (The trace id cannot
        // be typed into the page: the dashboard takes letters as shortcuts when a field loses focus, and its filter
        // dialog's value field takes typed text unreliably.)
        await TextField(page, "Filter...").FillAsync("POST /api/candidates");
        var list = page.GetByRole(AriaRole.Region, new() { Name = "Traces", Exact = true });
        var row = list.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Gridcell, new() { Name = $"Trace Id: {traceId}" }) });
        await Eventually.GetAsync(
            async () =>
            {
                await list.HoverAsync();
                await page.Mouse.WheelAsync(0, 1_000_000);
                return await row.CountAsync() == 1 ? "" : null;
            },
            TimeSpan.FromMilliseconds(s_telemetryTimeout),
            $"the trace {traceId} in the list");

        // The list follows new telemetry by itself; Matching's consumer span arrives a little after the request's.
        // (A resource's tag is repeated in the overflow's tooltip when the row is narrow.)
        await Expect(row.GetByTitle(new Regex("^matching spans")).First).ToBeAttachedAsync(new() { Timeout = s_telemetryTimeout });
        await shots.TakeAsync("traces");

        // Opened from its row, as a person opens it.
        await row.GetByRole(AriaRole.Gridcell).Nth(1).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/traces/detail/{traceId}"));

        // One row per span: its name cell ("{resource}: {span}") and its Resource column. The request enters at the
        // gateway, is served by Candidates, and Matching receives the event Candidates published. (Slashes escaped:
        // Playwright passes the pattern on as /…/.)
        await Expect(SpanName(page, @"^gateway: POST \/api\/candidates").First).ToBeVisibleAsync();
        await Expect(SpanName(page, @"^candidates: POST \/api\/candidates").First).ToBeVisibleAsync();
        await Expect(SpanName(page, "^matching: .*candidate-registered").First).ToBeVisibleAsync();
        foreach (var resource in new[] { "gateway", "candidates", "matching" })
        {
            await Expect(page.GetByRole(AriaRole.Gridcell, new() { Name = resource, Exact = true }).First).ToBeVisibleAsync();
        }

        await shots.TakeAsync("trace-detail");
    }

    private static ILocator SpanName(IPage page, string pattern) => page.GetByRole(AriaRole.Gridcell, new() { NameRegex = new Regex(pattern) });

    /// <summary>
    /// Restart from the resource's actions menu, confirmed if the dashboard asks; then the dashboard reports it done,
    /// shows a new start time, and it and every other resource running and healthy again.
    /// </summary>
    private async Task RestartAsync(IPage page, string resource, Screenshots shots)
    {
        var processBefore = platform.ProcessId(resource);
        await page.GetByRole(AriaRole.Link, new() { Name = "Resources", Exact = true }).ClickAsync();
        await ExpectAllRunningAsync(page);
        var startTime = Row(page, resource).GetByRole(AriaRole.Gridcell).Nth(2);
        var startedBefore = await startTime.GetAttributeAsync("aria-label") ?? throw new InvalidOperationException($"{resource} shows no start time.");

        await Row(page, resource).GetByRole(AriaRole.Button, new() { Name = "Actions", Exact = true }).ClickAsync();
        var restart = page.GetByRole(AriaRole.Menuitem, new() { Name = "Restart", Exact = true });
        await Expect(restart).ToBeVisibleAsync();
        await shots.TakeAsync($"{resource}-actions");
        await restart.ClickAsync();

        // The dashboard's toast follows the command: "starting", then "succeeded" (or a confirmation first, for a
        // command that asks for one; Aspire's Restart does not today).
        var starting = page.GetByRole(AriaRole.Listitem, new() { Name = $"{resource} \"Restart\" starting", Exact = true });
        // (A toast may be rendered twice for a moment, the first copy closing.)
        var succeeded = page.GetByRole(AriaRole.Listitem, new() { Name = $"{resource} \"Restart\" succeeded", Exact = true }).Filter(new() { Visible = true }).First;
        var confirmation = page.GetByRole(AriaRole.Dialog);
        await Expect(starting.Or(succeeded).Or(confirmation).First).ToBeVisibleAsync();
        if (await confirmation.IsVisibleAsync())
        {
            await shots.TakeAsync($"{resource}-confirmation");
            await confirmation.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^(Restart|Yes|OK|Confirm)$") }).ClickAsync();
        }

        await shots.TakeAsync($"{resource}-restarting");
        await Expect(succeeded).ToBeVisibleAsync(new() { Timeout = s_restartTimeout });
        await Expect(startTime).Not.ToHaveAccessibleNameAsync(startedBefore, new() { Timeout = s_restartTimeout });

        // Aspire's own view agrees: another process, and every resource healthy (the services' checks included).
        await Eventually.GetAsync(() => Task.FromResult(ProcessIdOrNull(resource) is { } pid && pid != processBefore ? "" : null), TimeSpan.FromSeconds(10), $"a new {resource} process");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(s_restartTimeout));
        await platform.WaitUntilHealthyAsync(AspirePlatform.Resources, timeout.Token);
        await ExpectAllRunningAsync(page);
        await shots.TakeAsync($"{resource}-restarted");
    }

    private int? ProcessIdOrNull(string resource)
    {
        try
        {
            return platform.ProcessId(resource);
        }
        catch (InvalidOperationException)
        {
            // Between two processes.
            return null;
        }
    }

    private static object Brief() => new
    {
        engagementType = "crisis", level = "senior-management", discipline = "finance", industry = "manufacturing", country = "SE",
        remotePossible = true, languages = new[] { new { code = "en", minimumLevel = "professional" } },
        mustHaveSkills = new[] { "cash management" }, niceToHaveSkills = new[] { "erp migration" },
        startDate = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(30), durationWeeks = 20, daysPerWeek = 5,
        budget = new { min = 1000, max = 1500, currency = "EUR" },
    };

    /// <summary>The dashboard's open dialogs (Fluent's dialog web component).</summary>
    private static ILocator Dialog(IPage page) => page.Locator("fluent-dialog-body");

    /// <summary>A dialog's button by its text (a dialog's Fluent buttons have no role of their own in the page's markup).</summary>
    private static ILocator DialogButton(ILocator dialog, string pattern) =>
        dialog.Locator("fluent-button").Filter(new() { HasTextRegex = new Regex($"^\\s*{pattern}\\s*$") });

    /// <summary>A Fluent text field by its placeholder: the input inside the web component, which repeats the placeholder.</summary>
    private static ILocator TextField(IPage page, string placeholder) => page.GetByPlaceholder(placeholder).And(page.Locator("input"));

    /// <summary>The resources grid's rows with data (not the header).</summary>
    private static ILocator DataRows(IPage page) =>
        page.GetByRole(AriaRole.Region, new() { Name = "Resources", Exact = true }).GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Gridcell) });

    /// <summary>A resource's row: the one whose name cell is "{type}: {name}" (its tooltip and accessible name).</summary>
    private static ILocator Row(IPage page, string resource) =>
        DataRows(page).Filter(new() { Has = page.GetByRole(AriaRole.Gridcell, new() { NameRegex = new Regex($"^[^:]+: {Regex.Escape(resource)}$") }) });

    /// <summary>The State column's cell (the second).</summary>
    private static ILocator StateCell(IPage page, string resource) => Row(page, resource).GetByRole(AriaRole.Gridcell).Nth(1);

    private async Task WithBrowserAsync(string test, Func<IPage, Screenshots, Task> walk)
    {
        var chromium = await DebianChromium.EnsureInstalledAsync(output.WriteLine, CancellationToken.None);
        var shots = new Screenshots(Path.Combine(Path.GetTempPath(), "interim-dashboard", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{test[..Math.Min(test.Length, 40)]}"));
        output.WriteLine($"Screenshots: {shots.Folder}");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            // Root in a container has no user namespaces for Chromium's sandbox.
            Args = ["--no-sandbox"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 }, Locale = "en-US" });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(s_timeout);
        SetDefaultExpectTimeout(s_timeout);
        shots.Page = page;
        try
        {
            await walk(page, shots);
        }
        catch
        {
            // What the browser showed when it failed, and the markup, beside the other screenshots.
            await shots.TakeAsync("failure");
            await File.WriteAllTextAsync(Path.Combine(shots.Folder, "failure.html"), await page.ContentAsync());
            output.WriteLine($"Failed at {page.Url}; screenshots and markup kept in {shots.Folder}");
            throw;
        }

        if (Environment.GetEnvironmentVariable("INTERIM_KEEP_SCREENSHOTS") != "1")
        {
            Directory.Delete(shots.Folder, recursive: true);
        }
    }

    /// <summary>Numbered full-page screenshots of one test's steps.</summary>
    private sealed class Screenshots(string folder)
    {
        private int _count;

        public string Folder { get; } = Directory.CreateDirectory(folder).FullName;

        public IPage? Page { get; set; }

        /// <param name="docs">Also kept as <c>{docs}.png</c> in the folder INTERIM_DOCS_SCREENSHOTS names (docs/images/dashboard for docs/dashboard.md).</param>
        public async Task TakeAsync(string name, string? docs = null)
        {
            var page = Page ?? throw new InvalidOperationException("No page yet.");
            var file = Path.Combine(Folder, $"{++_count:00}-{name}");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = file + ".png", FullPage = true });
            if (docs is not null && Environment.GetEnvironmentVariable("INTERIM_DOCS_SCREENSHOTS") is { Length: > 0 } documentation)
            {
                File.Copy(file + ".png", Path.Combine(Directory.CreateDirectory(documentation).FullName, docs + ".png"), overwrite: true);
            }
            if (Environment.GetEnvironmentVariable("INTERIM_KEEP_SCREENSHOTS") == "1")
            {
                await File.WriteAllTextAsync(file + ".html", await page.ContentAsync());
            }
        }
    }
}
