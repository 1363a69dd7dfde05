// Gateway overhead benchmark. Starts the whole platform with the shared bench launcher (bench/Platform: the AppHost's
// app model through Aspire.Hosting.Testing, own state folder, own ports), then
// measures one endpoint of the Matching service with wrk, same settings, in one run:
//   direct   to the service itself, with the Bearer token the gateway would forward;
//   gateway  through the YARP gateway, with a development API key (X-Api-Key);
//   nginx    through nginx configured as an equivalent reverse proxy (keep-alive upstream, token forwarded);
//   yarp     (reference) through a bare YARP with none of the gateway's features, forwarding the same token.
// Prints requests/s, p50 and p99 per target, the ratios and PASS/MISS against the targets:
//   gateway ≥ 0.6 × direct throughput, ≥ 1.0 × nginx throughput, ≤ 1 ms added p50.
// Exit code: 0 every run clean, 1 a run had errors (non-2xx, socket errors) or a target answered wrongly,
// 2 wrk/nginx missing and not installable (not root).
// Usage: dotnet run -c Release --project bench/GatewayOverhead -- [--duration 20] [--warmup 10] [--threads 2]
//        [--connections 32] [--rounds 1] [--wrk-cpus 1|none] [--endpoints weights,candidates] [--seed 50]
//        [--first-warmup 30] [--targets direct,gateway,nginx,yarp] [--single-duration 10] [--env KEY=VALUE ...] [--gateway-env KEY=VALUE ...]
// --env: added to every service's environment (GC or telemetry settings for all; the gateway's rate limit).
// --gateway-env: an experiment; a second gateway ("tuned": the AppHost's gateway cloned, with these variables)
//        is measured next to the first, so YARP and runtime settings can be compared in one run.
using System.Globalization;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using InterimPlatform.Bench.GatewayOverhead;
using InterimPlatform.Bench.Platform;
using Microsoft.Extensions.Hosting;

if (args is [BareYarp.Mode, var port, var upstream, var bearer])
{
    return await BareYarp.ServeAsync(int.Parse(port, CultureInfo.InvariantCulture), new Uri(upstream), bearer);
}

var duration = TimeSpan.FromSeconds(Option(args, "--duration", 20));
var warmup = TimeSpan.FromSeconds(Option(args, "--warmup", 10));
var firstWarmup = TimeSpan.FromSeconds(Option(args, "--first-warmup", 30));
var threads = Option(args, "--threads", 2);
var connections = Option(args, "--connections", 32);
var rounds = Option(args, "--rounds", 1);
var singleDuration = TimeSpan.FromSeconds(Option(args, "--single-duration", 10));
var seed = Option(args, "--seed", 50);
var wrkCpus = Text(args, "--wrk-cpus", "1") switch { "none" => null, var cpus => cpus };
var endpointNames = Text(args, "--endpoints", "weights,candidates").Split(',', StringSplitOptions.RemoveEmptyEntries);
var targetNames = Text(args, "--targets", "direct,gateway,nginx,yarp").Split(',', StringSplitOptions.RemoveEmptyEntries);
var environment = Pairs(args, "--env");
var gatewayEnvironment = Pairs(args, "--gateway-env");

var endpoints = new Dictionary<string, string>
{
    ["weights"] = "/api/matching/weights",                // small JSON, in memory
    ["candidates"] = "/api/matching/candidates?take=10",  // a page of the pool: two queries on the matching database
};
if (endpointNames.FirstOrDefault(e => !endpoints.ContainsKey(e)) is { } unknown)
{
    Console.Error.WriteLine($"Unknown endpoint {unknown}: choose from {string.Join(", ", endpoints.Keys)}.");
    return 2;
}

if (Prerequisites.Ensure() is not { } tools)
{
    return 2;
}

var (wrkPath, nginxPath) = tools;

using var stop = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });

var wrk = new Wrk(wrkPath, wrkCpus);
PrintMachine(wrkPath, nginxPath, duration, warmup, rounds);

// The figures are only as good as the machine is quiet: say how busy it is before anything starts.
var busy = await CpuMeter.MachineBusyAsync(TimeSpan.FromSeconds(2), stop.Token);
Console.WriteLine($"Before:  machine {busy:P0} busy over 2 s, load average {File.ReadAllText("/proc/loadavg").Trim()}"
    + (busy > 0.10 ? "  WARNING: something else is using the CPU; the figures will be noisy" : ""));

var failed = false;
try
{
    await using var platform = await BenchPlatform.StartAsync(new BenchPlatformOptions { Name = "gateway-bench", ServiceEnvironment = environment }, stop.Token);
    var matching = platform.ServiceUrl("matching");
    var candidates = platform.ServiceUrl("candidates");
    var matchingPid = platform.ProcessId("matching");
    var recruiterKey = platform.ApiKey("recruiter");
    var signingKey = platform.SigningKey;
    var planned = (firstWarmup + warmup + duration + singleDuration) * (targetNames.Length + 1) * endpointNames.Length * (rounds + 1);
    var token = GatewayIdentity.Issue(GatewayIdentity.Key(signingKey), "bench", ["recruiter"], DateTimeOffset.UtcNow, TimeSpan.FromHours(1) + 2 * planned);
    Console.WriteLine($"matching {matching} (pid {matchingPid})  gateway {platform.GatewayUrl} (pid {platform.ProcessId("gateway")})");

    var idle = await CpuMeter.MachineBusyAsync(TimeSpan.FromSeconds(3), stop.Token);
    Console.WriteLine($"Idle:    the platform at rest keeps the machine {idle:P0} busy (3 s)");

    await using var nginx = targetNames.Contains("nginx") ? await NginxProxy.StartAsync(nginxPath, matching, token) : null;
    var targets = new List<Target>
    {
        new("direct", matching, "Authorization", $"Bearer {token}", null, matchingPid),
        new("gateway", platform.GatewayUrl, "X-Api-Key", recruiterKey, platform.ProcessId("gateway"), matchingPid),
    };
    if (nginx is not null)
    {
        // The same header as the gateway gets (same request size); nginx ignores it and forwards its own token.
        targets.Add(new("nginx", nginx.Url, "X-Api-Key", recruiterKey, nginx.ProcessId, matchingPid));
    }

    await using var bare = targetNames.Contains("yarp") ? await BareYarp.StartAsync(matching, token, stop.Token) : null;
    if (bare is not null)
    {
        targets.Add(new("yarp", bare.Url, "X-Api-Key", recruiterKey, bare.ProcessId, matchingPid));
    }

    targets.RemoveAll(t => !targetNames.Contains(t.Name));

    await using var tuned = gatewayEnvironment.Count > 0 ? await TunedGateway.StartAsync(platform.ProcessId("gateway"), gatewayEnvironment, stop.Token) : null;
    if (tuned is not null)
    {
        Console.WriteLine($"tuned:   a second gateway {tuned.Url} (pid {tuned.ProcessId}): the AppHost's gateway with {string.Join(' ', gatewayEnvironment.Select(e => $"{e.Key}={e.Value}"))}");
        targets.Add(new("tuned", tuned.Url, "X-Api-Key", recruiterKey, tuned.ProcessId, matchingPid));
    }

    if (endpointNames.Contains("candidates") && seed > 0)
    {
        await SeedPoolAsync(candidates, matching, token, seed, stop.Token);
    }

    foreach (var name in endpointNames)
    {
        failed |= !await MeasureAsync(endpoints[name], targets, stop.Token);
    }
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("Interrupted: stopped the platform and nginx.");
    return 130;
}
catch (Exception e) when (e is InvalidOperationException or TimeoutException)
{
    // The platform, nginx or wrk could not do their part: everything started is stopped by now.
    Console.Error.WriteLine($"Failed: {e.Message}");
    return 1;
}

Console.WriteLine();
Console.WriteLine(failed ? "Result: a run had errors or a target did not answer (exit code 1)." : "Result: every run clean.");
return failed ? 1 : 0;

// One endpoint: every target checked once, then warm-up and measured runs, round after round (targets in
// turn within a round, so a slow phase of the machine hits all of them alike), medians when rounds > 1;
// then one run per target at a single connection, for the latency a hop adds when nothing queues.
async Task<bool> MeasureAsync(string path, List<Target> targets, CancellationToken cancellationToken)
{
    Console.WriteLine();
    Console.WriteLine($"GET {path}");
    var ok = true;
    var answering = new List<Target>();
    foreach (var target in targets)
    {
        var problem = await CheckAsync(target, path, cancellationToken);
        if (problem is null)
        {
            answering.Add(target);
        }
        else
        {
            Console.WriteLine($"  {target.Name,-8} NOT MEASURED: {problem}");
            ok = false;
        }
    }

    var results = answering.ToDictionary(t => t.Name, _ => new List<Measured>());
    for (var round = 1; round <= rounds; round++)
    {
        foreach (var target in answering)
        {
            // A fresh process needs longer: tiered compilation (and its PGO) finishes on the busy cores only slowly.
            await wrk.RunAsync(new Uri(target.Url, path), target.Header, threads, connections, round == 1 ? firstWarmup : warmup, cancellationToken);
            var measured = await RunMeasuredAsync(target, path, threads, connections, duration, cancellationToken);
            results[target.Name].Add(measured);
            Console.WriteLine($"  round {round} {target.Name,-8} {measured.Wrk.RequestsPerSecond,10:N1} req/s  p50 {measured.Wrk.P50Milliseconds,6:0.00} ms  p99 {measured.Wrk.P99Milliseconds,6:0.00} ms"
                + (measured.Wrk.Clean ? "" : $"  ERRORS: {Errors(measured.Wrk)}"));
            if (!measured.Wrk.Clean)
            {
                ok = false;
                await ExplainErrorsAsync(target, path, measured.Wrk, cancellationToken);
            }
        }
    }

    var single = new Dictionary<string, Measured>();
    foreach (var target in answering)
    {
        var measured = await RunMeasuredAsync(target, path, 1, 1, singleDuration, cancellationToken);
        single[target.Name] = measured;
        if (!measured.Wrk.Clean)
        {
            ok = false;
            Console.WriteLine($"  1 connection {target.Name,-8} ERRORS: {Errors(measured.Wrk)}");
        }
    }

    var summary = results.ToDictionary(
        r => r.Key,
        r => new Summary(
            Median(r.Value.Select(x => x.Wrk.RequestsPerSecond)), Median(r.Value.Select(x => x.Wrk.P50Milliseconds)), Median(r.Value.Select(x => x.Wrk.P99Milliseconds)),
            Median(r.Value.Select(x => x.ProxyMicroseconds)), Median(r.Value.Select(x => x.ServiceMicroseconds)),
            r.Value.Sum(x => x.Wrk.Non2xx), string.Join("; ", r.Value.Where(x => !x.Wrk.Clean).Select(x => Errors(x.Wrk)))));
    var invalid = summary.Where(r => r.Value.Errors.Length > 0).Select(r => r.Key).ToList();
    string Verdict(bool pass) => invalid.Count > 0 ? "n/a" : pass ? "PASS" : "MISS";

    Console.WriteLine();
    Console.WriteLine($"  {connections} connections, {threads} threads{(rounds > 1 ? $", medians of {rounds} rounds" : "")}; CPU = user+system time per request of the proxy and of Matching");
    Console.WriteLine($"  {"target",-8} {"requests/s",12} {"p50 ms",8} {"p99 ms",8} {"proxy CPU",11} {"Matching CPU",13} {"non-2xx",9}  1 connection: {"req/s",7} {"p50 ms",7} {"p99 ms",7}");
    foreach (var (name, s) in summary)
    {
        var one = single[name].Wrk;
        Console.WriteLine($"  {name,-8} {s.Rps,12:N1} {s.P50,8:0.00} {s.P99,8:0.00} {(double.IsNaN(s.ProxyUs) ? "-" : $"{s.ProxyUs:0} µs"),11} {$"{s.ServiceUs:0} µs",13} {s.Non2xx,9:N0}                {one.RequestsPerSecond,7:N0} {one.P50Milliseconds,7:0.00} {one.P99Milliseconds,7:0.00}");
    }

    if (summary.TryGetValue("gateway", out var gateway))
    {
        Console.WriteLine();
        if (invalid.Count > 0)
        {
            // Error answers are cheap: a run full of them says nothing about the overhead.
            Console.WriteLine($"  NO VERDICT: the runs of {string.Join(", ", invalid)} had errors (above), so the ratios below compare unlike work.");
        }

        if (summary.TryGetValue("direct", out var direct))
        {
            var ratio = gateway.Rps / direct.Rps;
            Console.WriteLine($"  gateway / direct throughput            {ratio,6:0.00}        target ≥ 0.60     {Verdict(ratio >= 0.6)}");
            var added = gateway.P50 - direct.P50;
            Console.WriteLine($"  added p50, {connections} connections (saturated) {added,6:0.00} ms     target ≤ 1.00 ms  {Verdict(added <= 1.0)}");
            var addedSingle = single["gateway"].Wrk.P50Milliseconds - single["direct"].Wrk.P50Milliseconds;
            Console.WriteLine($"  added p50, 1 connection                {addedSingle,6:0.00} ms     target ≤ 1.00 ms  {Verdict(addedSingle <= 1.0)}");
            Console.WriteLine($"  added p99, {connections} connections            {gateway.P99 - direct.P99,6:0.00} ms     (no target)");
        }

        if (summary.TryGetValue("tuned", out var tunedSummary))
        {
            Console.WriteLine($"  tuned / gateway throughput             {tunedSummary.Rps / gateway.Rps,6:0.00}        (experiment: --gateway-env)");
            Console.WriteLine($"  tuned / gateway CPU per request        {tunedSummary.ProxyUs / gateway.ProxyUs,6:0.00}        (experiment)");
            if (summary.TryGetValue("direct", out var d))
            {
                Console.WriteLine($"  tuned / direct throughput              {tunedSummary.Rps / d.Rps,6:0.00}        (experiment)");
                Console.WriteLine($"  tuned added p50, 1 connection          {single["tuned"].Wrk.P50Milliseconds - single["direct"].Wrk.P50Milliseconds,6:0.00} ms     (experiment)");
            }

            if (summary.TryGetValue("nginx", out var n))
            {
                Console.WriteLine($"  tuned / nginx throughput               {tunedSummary.Rps / n.Rps,6:0.00}        (experiment)");
            }
        }

        if (summary.TryGetValue("nginx", out var reference))
        {
            var ratio = gateway.Rps / reference.Rps;
            Console.WriteLine($"  gateway / nginx throughput             {ratio,6:0.00}        target ≥ 1.00     {Verdict(ratio >= 1.0)}");
            Console.WriteLine($"  gateway / nginx CPU per request        {gateway.ProxyUs / reference.ProxyUs,6:0.00}        (reference)");
            if (summary.TryGetValue("direct", out var d))
            {
                Console.WriteLine($"  nginx / direct throughput              {reference.Rps / d.Rps,6:0.00}        (reference)");
            }
        }

        if (summary.TryGetValue("yarp", out var bare))
        {
            // What YARP and Kestrel cost here, apart from what the gateway's features add to them.
            Console.WriteLine($"  gateway / bare YARP throughput         {gateway.Rps / bare.Rps,6:0.00}        (reference)");
            Console.WriteLine($"  gateway features, CPU per request      {gateway.ProxyUs - bare.ProxyUs,6:0} µs     (reference: gateway − bare YARP)");
            if (summary.TryGetValue("nginx", out var n))
            {
                Console.WriteLine($"  bare YARP / nginx throughput           {bare.Rps / n.Rps,6:0.00}        (reference)");
                Console.WriteLine($"  bare YARP / nginx CPU per request      {bare.ProxyUs / n.ProxyUs,6:0.00}        (reference)");
            }
        }
    }

    return ok;
}

// A measured wrk run, with the CPU time the proxy and Matching spent on it.
async Task<Measured> RunMeasuredAsync(Target target, string path, int runThreads, int runConnections, TimeSpan runDuration, CancellationToken cancellationToken)
{
    var proxyBefore = target.ProxyPid is { } proxy ? CpuMeter.Seconds(proxy, withChildren: true) : double.NaN;
    var serviceBefore = CpuMeter.Seconds(target.ServicePid);
    var result = await wrk.RunAsync(new Uri(target.Url, path), target.Header, runThreads, runConnections, runDuration, cancellationToken);
    var proxyAfter = target.ProxyPid is { } p ? CpuMeter.Seconds(p, withChildren: true) : double.NaN;
    var serviceAfter = CpuMeter.Seconds(target.ServicePid);
    return new Measured(result, (proxyAfter - proxyBefore) * 1e6 / result.Requests, (serviceAfter - serviceBefore) * 1e6 / result.Requests);
}

static string Errors(WrkResult result) =>
    string.Join(", ", new[] { result.Non2xx > 0 ? $"{result.Non2xx:N0} non-2xx of {result.Requests:N0}" : null, result.SocketErrors.Length > 0 ? "socket errors " + result.SocketErrors : null }.OfType<string>());

// One request before any load: a target that does not answer 2xx (say the gateway refusing the API key) is
// reported with its answer instead of being measured at the speed of its error page.
static async Task<string?> CheckAsync(Target target, string path, CancellationToken cancellationToken)
{
    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
    using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(target.Url, path));
    request.Headers.TryAddWithoutValidation(target.HeaderName, target.HeaderValue);
    try
    {
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode ? null : $"{(int)response.StatusCode} {response.ReasonPhrase}: {Shorten(body)}";
    }
    catch (HttpRequestException e)
    {
        return e.Message;
    }
    catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
    {
        return "no answer in 10 s";
    }
}

// A run with non-2xx answers: how many requests per second got through, and what a refused request is
// answered (a rate limit shows as 429 with Retry-After and its reason): up to 300 requests in a row until
// one is refused.
static async Task ExplainErrorsAsync(Target target, string path, WrkResult result, CancellationToken cancellationToken)
{
    Console.WriteLine($"           {target.Name}: {result.SuccessfulPerSecond:N1} successful requests/s over {result.Seconds:0.0} s ({result.Requests - result.Non2xx:N0} of {result.Requests:N0})");
    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
    try
    {
        for (var i = 1; i <= 300; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(target.Url, path));
            request.Headers.TryAddWithoutValidation(target.HeaderName, target.HeaderValue);
            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                var headers = response.Headers.Concat(response.Content.Headers)
                    .Where(h => h.Key.Contains("rate", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("Retry-After", StringComparison.OrdinalIgnoreCase))
                    .Select(h => $"{h.Key}: {string.Join(",", h.Value)}");
                Console.WriteLine($"           request {i} of a sequential burst was answered {(int)response.StatusCode} {response.ReasonPhrase}; {string.Join("; ", headers)}");
                Console.WriteLine($"           {Shorten(body)}");
                return;
            }
        }

        Console.WriteLine("           300 sequential requests right after the run were all answered 2xx.");
    }
    catch (HttpRequestException e)
    {
        Console.WriteLine($"           right after the run: {e.Message}");
    }
    catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
    {
        Console.WriteLine("           right after the run: no answer in 10 s");
    }
}

// Matching's pool is filled by Candidates' events: register candidates with Candidates (directly, as the
// gateway would forward them) and wait until Matching holds them, so the page read is not empty.
static async Task SeedPoolAsync(Uri candidates, Uri matching, string token, int count, CancellationToken cancellationToken)
{
    using var http = new HttpClient();
    http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
    var availableFrom = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(30)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    string[] cities = ["Göteborg", "Oslo", "Utrecht", "München", "Lyon"];
    string[] countries = ["SE", "NO", "NL", "DE", "FR"];
    for (var i = 0; i < count; i++)
    {
        var body = JsonNode.Parse($$"""
            {
              "fullName": "Bench Candidate {{i}}", "email": "bench{{i}}@example.org",
              "location": { "country": "{{countries[i % 5]}}", "city": "{{cities[i % 5]}}", "remotePossible": true },
              "levels": ["executive"], "disciplines": ["finance"], "skills": ["erp migration", "ifrs"], "engagementTypes": ["crisis"],
              "dayRate": { "amount": {{1000 + i * 10}}, "currency": "EUR" }, "availability": { "availableFrom": "{{availableFrom}}", "noticeDays": 14 },
              "summary": "Interim CFO, generated by bench/GatewayOverhead", "privacy": { "lawfulBasis": "consent" }
            }
            """);
        using var response = await http.PostAsJsonAsync(new Uri(candidates, "/api/candidates"), body, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            Console.WriteLine($"Seeding the pool: Candidates answered {(int)response.StatusCode}: {Shorten(await response.Content.ReadAsStringAsync(cancellationToken))}; measuring with what Matching holds.");
            return;
        }
    }

    var waited = System.Diagnostics.Stopwatch.StartNew();
    var total = 0L;
    while (waited.Elapsed < TimeSpan.FromSeconds(60))
    {
        using var page = JsonDocument.Parse(await http.GetStringAsync(new Uri(matching, "/api/matching/candidates?take=1"), cancellationToken));
        total = page.RootElement.GetProperty("total").GetInt64();
        if (total >= count)
        {
            break;
        }

        await Task.Delay(250, cancellationToken);
    }

    Console.WriteLine($"Seeded the pool: {count} candidates registered with Candidates, {total} in Matching after {waited.Elapsed.TotalSeconds:0.0} s.");
}

void PrintMachine(string wrkPath, string nginxPath, TimeSpan duration, TimeSpan warmup, int rounds)
{
    var model = File.Exists("/proc/cpuinfo")
        ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
        : null;
    Console.WriteLine($"Machine: {Environment.ProcessorCount} cores ({model ?? "unknown CPU"}), {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
    Console.WriteLine($"Tools:   {wrkPath} ({FirstLine(wrkPath, "-v")}), {nginxPath} ({FirstLine(nginxPath, "-v")})");
    Console.WriteLine($"Load:    {wrk.Describe(threads, connections, $"{duration.TotalSeconds:0}s")}, after a warm-up run of the same ({firstWarmup.TotalSeconds:0} s in round 1, {warmup.TotalSeconds:0} s later), per target, {rounds} round(s);");
    Console.WriteLine($"         then {wrk.Describe(1, 1, $"{singleDuration.TotalSeconds:0}s")} per target"
        + (wrkCpus is null ? "; wrk not pinned" : $"; wrk pinned to CPU {wrkCpus} with taskset, the servers free on every CPU"));
    Console.WriteLine($"Command: {string.Join(' ', Environment.GetCommandLineArgs())}");
}

static string FirstLine(string program, string argument)
{
    try
    {
        var start = new System.Diagnostics.ProcessStartInfo(program, argument) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        var text = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "?";
    }
    catch (System.ComponentModel.Win32Exception)
    {
        return "?";
    }
}

static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

static Dictionary<string, string> Pairs(string[] args, string name) =>
    args.Select((a, i) => (a, i)).Where(p => p.a == name && p.i + 1 < args.Length)
        .Select(p => args[p.i + 1].Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");

static int Option(string[] args, string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

static string Text(string[] args, string name, string fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}

/// <summary>Where wrk sends its load, the one header that authenticates it there, and the processes that serve it.</summary>
internal sealed record Target(string Name, Uri Url, string HeaderName, string HeaderValue, int? ProxyPid, int ServicePid)
{
    public string Header => $"{HeaderName}: {HeaderValue}";
}

/// <summary>A wrk run and the CPU time per request (µs) the proxy (NaN: none) and Matching used.</summary>
internal sealed record Measured(WrkResult Wrk, double ProxyMicroseconds, double ServiceMicroseconds);

/// <summary>One target's figures over the rounds.</summary>
internal sealed record Summary(double Rps, double P50, double P99, double ProxyUs, double ServiceUs, long Non2xx, string Errors);
