// The fault suite. Runs the AppHost's own app model in-process with two replicas of each domain service,
// drives 20,000 partner messages and 2,000 API writes through the gateway while it kills processes,
// restarts RabbitMQ and PostgreSQL and drops or stalls connections, then counts, by id, what survived.
// Exits 1 on any loss, duplicate or disagreement.
// With --load SECONDS it runs the sustained-load run instead (one instance per service, as the AppHost runs
// by default, no faults): see LoadRun.cs.
// Usage: dotnet run -c Release --project bench/FaultSuite -- [--messages 20000] [--spread 180] [--fault-interval 8] [--keep-state]
//        dotnet run -c Release --project bench/FaultSuite -- --load 180 [--p99-bound 500] [--partner-rate 300]
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using InterimPlatform.AppHost;
using InterimPlatform.Bench.FaultSuite;
using InterimPlatform.Hosting;
using InterimPlatform.Hosting.ApplicationModel;
using InterimPlatform.Hosting.Orchestration;
using InterimPlatform.Hosting.Processes;
using Npgsql;

var messages = Option("--messages", 20_000);
var spread = TimeSpan.FromSeconds(Option("--spread", 180));
var faultInterval = TimeSpan.FromSeconds(Option("--fault-interval", 8));
var keepState = args.Contains("--keep-state");
var load = Option("--load", 0);
var replicas = Option("--replicas", load > 0 ? 1 : 2);
var run = Guid.NewGuid().ToString("N")[..6];
var state = Path.Combine(Path.GetTempPath(), "interim-faults-" + run);
var gatewayPort = PortAllocator.GetFreePort();

var builder = DistributedApplication.CreateBuilder([
    "--state-dir", state, $"--Replicas={replicas}", $"--Gateway:Port={gatewayPort}", $"--Messaging:AmqpPort={PortAllocator.GetFreePort()}",
    "--Dashboard:Enabled=false"]);
var model = PlatformModel.Declare(builder);
// The suite's writes are what is measured, not the per-caller rate limit.
model.Gateway.WithEnvironment("Gateway__RateLimit__PermitsPerSecond", "100000").WithEnvironment("Gateway__RateLimit__Burst", "100000");

// Candidates reaches PostgreSQL and RabbitMQ, and Matching PostgreSQL, through relays the suite controls.
await using var candidatesDbRelay = new TcpRelay("candidates → PostgreSQL", () => model.Postgres.Resource.Port);
await using var candidatesMqRelay = new TcpRelay("candidates → RabbitMQ", () => model.Messaging.Resource.NodeOptions!.AmqpPort);
await using var matchingDbRelay = new TcpRelay("matching → PostgreSQL", () => model.Postgres.Resource.Port);
if (load == 0)
{
    model.Candidates
        .WithEnvironment("ConnectionStrings__candidatesdb", _ => Relayed(model.CandidatesDb.Resource, candidatesDbRelay))
        .WithEnvironment("ConnectionStrings__messaging", _ => new UriBuilder(model.Messaging.Resource.GetConnectionString()) { Port = candidatesMqRelay.Port }.Uri.ToString().TrimEnd('/'));
    model.Matching.WithEnvironment("ConnectionStrings__matchingdb", _ => Relayed(model.MatchingDb.Resource, matchingDbRelay));
}

var app = builder.Build();
var exitCode = 1;
try
{
    var total = Stopwatch.StartNew();
    await app.StartAsync();
    await WaitUntilRunningAsync(app, TimeSpan.FromMinutes(5));
    Console.WriteLine($"Platform running in {total.Elapsed.TotalSeconds:0.0} s: {string.Join(", ", app.ResourceStates.Snapshots.Select(s => s.Name))}");

    var secrets = JsonDocument.Parse(File.ReadAllText(Path.Combine(state, "secrets.json"))).RootElement;
    var partners = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(state, "partners.json")))!;
    var apiKeys = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(state, "api-keys.json")))!;
    var signingKey = JsonDocument.Parse(File.ReadAllText(Path.Combine(state, "gateway.json"))).RootElement.GetProperty("identity-signing-key").GetString()!;

    var dataSources = new Dictionary<string, NpgsqlDataSource>();
    NpgsqlDataSource Database(string name)
    {
        lock (dataSources)
        {
            return dataSources.TryGetValue(name, out var source) ? source : dataSources[name] = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1", Port = model.Postgres.Resource.Port, Username = "postgres", Password = secrets.GetProperty("PostgresPassword").GetString(), Database = name,
            }.ConnectionString);
        }
    }

    using var gateway = new HttpClient { BaseAddress = new Uri($"http://localhost:{gatewayPort}"), Timeout = TimeSpan.FromSeconds(15) };
    gateway.DefaultRequestHeaders.Add("X-Api-Key", apiKeys["recruiter"]);
    using var management = new HttpClient { BaseAddress = new Uri(model.Messaging.Resource.ManagementUrl!) };
    management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{secrets.GetProperty("RabbitMQUser").GetString()}:{secrets.GetProperty("RabbitMQPassword").GetString()}")));
    var token = GatewayIdentity.Issue(GatewayIdentity.Key(signingKey), "fault-suite", [GatewayIdentity.Roles.Ops], DateTimeOffset.UtcNow, TimeSpan.FromHours(2));
    var matchingReplicas = model.Matching.Resource.Instances.Select(instance =>
    {
        var client = new HttpClient { BaseAddress = new Uri(instance.HttpUrl), Timeout = TimeSpan.FromSeconds(15) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }).ToList();

    var feed = new PartnerFeed(model.Messaging.Resource.NodeOptions!.AmqpPort, partners);
    using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(20));
    if (load > 0)
    {
        exitCode = await new LoadRun(app, gateway, feed, run).RunAsync(TimeSpan.FromSeconds(load), TimeSpan.FromMilliseconds(Option("--p99-bound", 500)), Option("--partner-rate", 300), stop.Token);
        return exitCode;
    }

    var instances = new[] { model.Matching, model.Candidates, model.Engagements }.SelectMany(p => p.Resource.Instances).Append(model.Gateway.Resource).ToList();
    using var health = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
    async Task<bool> AllHealthyAsync(CancellationToken cancellationToken)
    {
        foreach (var instance in instances)
        {
            try
            {
                using var response = await health.GetAsync($"http://127.0.0.1:{instance.Port}/health", cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    return false;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        return true;
    }

    // The services in the order they are killed: each first instance, the gateway, then the other instances.
    var domain = new[] { model.Matching.Resource, model.Candidates.Resource, model.Engagements.Resource };
    var killOrder = domain.Append(model.Gateway.Resource).Concat(domain.SelectMany(p => p.ReplicaInstances)).Select(p => p.Name).ToList();
    var faults = new Faults(app, killOrder, new[] { candidatesDbRelay, candidatesMqRelay, matchingDbRelay }.ToDictionary(r => r.Name), AllHealthyAsync);
    var writes = new ApiWrites(gateway, run);

    Console.WriteLine($"Driving {messages:N0} partner messages and {ApiWrites.Total:N0} API writes over {spread.TotalSeconds:0} s, a fault every {faultInterval.TotalSeconds:0} s ...");
    var drive = Stopwatch.StartNew();
    var feeding = feed.RunAsync(messages, firstIndex: 0, spread, stop.Token);
    var writing = writes.RunAsync(spread, stop.Token);
    var breaking = faults.RunAsync(faultInterval, stop.Token);
    await Task.WhenAll(feeding, writing, breaking);
    Console.WriteLine($"Driven in {drive.Elapsed.TotalSeconds:0} s; waiting for the platform to settle ...");

    var checker = new Checker(Database, management, gateway, matchingReplicas);
    var settle = Stopwatch.StartNew();
    if (!await checker.SettleAsync(messages, TimeSpan.FromMinutes(5), stop.Token))
    {
        checker.Problems.Add("the platform did not settle within 5 minutes (outbox rows unsent, queues not empty or partner people not stored)");
    }

    Console.WriteLine($"Settled in {settle.Elapsed.TotalSeconds:0} s.");
    var tallies = await checker.CountAsync(writes.Writes, await feeding, stop.Token);

    Console.WriteLine();
    Console.WriteLine($"{"operation",-28} {"sent",7} {"acked",7} {"lost",6} {"dup",5}  note");
    foreach (var t in tallies)
    {
        Console.WriteLine($"{t.What,-28} {t.Sent,7:N0} {t.Acknowledged,7:N0} {t.Lost,6} {t.Duplicated,5}  {t.Note}");
    }

    var latencies = writes.LatenciesMs.Order().ToList();
    Console.WriteLine($"acknowledged API writes: p50 {Percentile(latencies, 0.5):0.0} ms, p99 {Percentile(latencies, 0.99):0.0} ms (through faults)");
    Console.WriteLine();
    Console.WriteLine($"{"fault",-26} {"target",-26} {"recovered in",12}  note");
    foreach (var f in faults.Outcomes)
    {
        Console.WriteLine($"{f.Kind,-26} {f.Target,-26} {f.Recovery.TotalSeconds,10:0.0} s  {f.Note}");
    }

    var lost = tallies.Sum(t => t.Lost);
    var duplicated = tallies.Sum(t => t.Duplicated);
    Console.WriteLine();
    Console.WriteLine($"faults injected: {faults.Outcomes.Count}; lost: {lost}; duplicated: {duplicated}; other problems: {checker.Problems.Count}");
    foreach (var problem in checker.Problems)
    {
        Console.WriteLine($"  PROBLEM: {problem}");
    }

    exitCode = lost == 0 && duplicated == 0 && checker.Problems.Count == 0 && faults.Outcomes.All(f => f.Note?.StartsWith("NOT RECOVERED", StringComparison.Ordinal) != true) ? 0 : 1;
    Console.WriteLine(exitCode == 0 ? "PASS: nothing acknowledged was lost or duplicated" : "FAIL");
    foreach (var client in matchingReplicas)
    {
        client.Dispose();
    }

    foreach (var source in dataSources.Values)
    {
        await source.DisposeAsync();
    }
}
finally
{
    await app.StopAsync();
    await app.DisposeAsync();
    if (!keepState)
    {
        TryDelete(state);
    }
}

return exitCode;

static string Relayed(PostgresDatabaseResource database, TcpRelay relay) =>
    new NpgsqlConnectionStringBuilder(database.GetConnectionString()) { Port = relay.Port }.ConnectionString;

static async Task WaitUntilRunningAsync(DistributedApplication app, TimeSpan timeout)
{
    var deadline = Stopwatch.StartNew();
    while (!app.ResourceStates.Snapshots.All(s => s.State == KnownResourceStates.Running))
    {
        if (deadline.Elapsed > timeout || app.ResourceStates.Snapshots.Any(s => s.State == KnownResourceStates.FailedToStart))
        {
            throw new InvalidOperationException("The platform did not start: " + string.Join(", ", app.ResourceStates.Snapshots.Select(s => $"{s.Name} {s.State} {s.Reason}")));
        }

        await Task.Delay(250);
    }
}

static double Percentile(IReadOnlyList<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

static void TryDelete(string directory)
{
    try
    {
        // PostgreSQL's data folder belongs to the postgres account when the suite runs as root.
        Process.Start("rm", ["-rf", directory])?.WaitForExit();
    }
    catch (Exception)
    {
    }
}

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
