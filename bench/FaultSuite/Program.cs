// The fault suite. Runs the AppHost's own app model with two replicas of each domain service through the shared
// bench launcher (bench/Platform: Aspire.Hosting.Testing, DCP, the AppHost's resources and resource commands),
// drives 20,000 partner messages and 2,000 API writes through the gateway while it kills processes,
// restarts RabbitMQ and PostgreSQL and drops or stalls connections, then counts, by id, what survived.
// Exits 1 on any loss, duplicate or disagreement.
// With --load SECONDS it runs the sustained-load run instead (one instance per service, as the AppHost runs
// by default, no faults): see LoadRun.cs.
// Usage: dotnet run -c Release --project bench/FaultSuite -- [--messages 20000] [--spread 180] [--fault-interval 8] [--deadline 20] [--keep-state]
//        dotnet run -c Release --project bench/FaultSuite -- --load 180 [--p99-bound 500] [--partner-rate 300]
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using InterimPlatform.AppHost;
using InterimPlatform.Bench.FaultSuite;
using InterimPlatform.Bench.Platform;
using InterimPlatform.Hosting.NativeServers;
using Microsoft.Extensions.Hosting;
using Npgsql;

var messages = Option("--messages", 20_000);
var spread = TimeSpan.FromSeconds(Option("--spread", 180));
var faultInterval = TimeSpan.FromSeconds(Option("--fault-interval", 8));
var keepState = args.Contains("--keep-state");
var load = Option("--load", 0);
var replicas = Option("--replicas", load > 0 ? 1 : 2);
var run = Guid.NewGuid().ToString("N")[..6];

// Candidates reaches PostgreSQL and RabbitMQ, and Matching PostgreSQL, through relays the suite controls. Their
// targets are the servers' ports, known once the app model is declared.
PostgresServerResource? postgres = null;
RabbitMQNodeResource? broker = null;
await using var candidatesDbRelay = new TcpRelay("candidates → PostgreSQL", () => postgres!.Port);
await using var candidatesMqRelay = new TcpRelay("candidates → RabbitMQ", () => broker!.Ports.Amqp);
await using var matchingDbRelay = new TcpRelay("matching → PostgreSQL", () => postgres!.Port);

var exitCode = 1;
var total = Stopwatch.StartNew();
await using var platform = await BenchPlatform.StartAsync(new BenchPlatformOptions
{
    Name = "faults-" + run,
    Replicas = replicas,
    // The suite's writes are what is measured, not the per-caller rate limit.
    GatewayEnvironment = BenchPlatformOptions.UnlimitedGateway,
    KeepState = keepState,
    StartTimeout = TimeSpan.FromMinutes(8),
    Configure = builder =>
    {
        postgres = builder.Resources.OfType<PostgresServerResource>().Single();
        broker = builder.Resources.OfType<RabbitMQNodeResource>().Single();
        if (load > 0)
        {
            return;
        }

        var candidatesDb = builder.Resources.OfType<PostgresDatabaseResource>().Single(d => d.Name == "candidatesdb");
        var matchingDb = builder.Resources.OfType<PostgresDatabaseResource>().Single(d => d.Name == "matchingdb");
        // Candidates' own broker user (the AppHost's), only through the relay.
        var candidatesBrokerUser = builder.Resources.OfType<RabbitMQUserResource>().Single(u => u.Name == ServiceBrokerUsers.For("candidates").ResourceName);
        foreach (var instance in Instances(builder, "candidates"))
        {
            // Set after the references' own values (environment callbacks run in the order they were added).
            instance.WithEnvironment(async context =>
            {
                context.EnvironmentVariables["ConnectionStrings__candidatesdb"] = await RelayedAsync(candidatesDb, candidatesDbRelay, context.CancellationToken);
                var amqp = new UriBuilder((await candidatesBrokerUser.ConnectionStringExpression.GetValueAsync(context.CancellationToken))!) { Port = candidatesMqRelay.Port };
                context.EnvironmentVariables["ConnectionStrings__messaging"] = amqp.Uri.ToString().TrimEnd('/');
            });
        }

        foreach (var instance in Instances(builder, "matching"))
        {
            instance.WithEnvironment(async context =>
                context.EnvironmentVariables["ConnectionStrings__matchingdb"] = await RelayedAsync(matchingDb, matchingDbRelay, context.CancellationToken));
        }
    },
});
Console.WriteLine($"Platform running in {total.Elapsed.TotalSeconds:0.0} s: {string.Join(", ", platform.Resources)}");

var dataSources = new Dictionary<string, NpgsqlDataSource>();
NpgsqlDataSource Database(string name)
{
    lock (dataSources)
    {
        return dataSources.TryGetValue(name, out var source) ? source : dataSources[name] = NpgsqlDataSource.Create(platform.DatabaseConnectionString(name));
    }
}

using var gateway = new HttpClient { BaseAddress = platform.GatewayUrl, Timeout = TimeSpan.FromSeconds(15) };
gateway.DefaultRequestHeaders.Add("X-Api-Key", platform.ApiKey("recruiter"));
using var management = new HttpClient { BaseAddress = platform.ManagementUri };
management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{platform.MessagingUser}:{platform.MessagingPassword}")));
var token = GatewayIdentity.Issue(GatewayIdentity.Key(platform.SigningKey), "fault-suite", [GatewayIdentity.Roles.Ops], DateTimeOffset.UtcNow, TimeSpan.FromHours(2));
var matchingReplicas = platform.Instances("matching").Select(instance =>
{
    var client = new HttpClient { BaseAddress = platform.ServiceUrl(instance), Timeout = TimeSpan.FromSeconds(15) };
    client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    return client;
}).ToList();

var feed = new PartnerFeed(platform.AmqpPort, platform.PartnerPasswords);
// Every wait is bounded; on a machine shared with other work, --deadline (minutes) gives the whole run longer.
using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(Option("--deadline", 20)));
if (load > 0)
{
    exitCode = await new LoadRun(platform, gateway, feed, run).RunAsync(TimeSpan.FromSeconds(load), TimeSpan.FromMilliseconds(Option("--p99-bound", 500)), Option("--partner-rate", 300), stop.Token);
    return exitCode;
}

var instances = platform.Services.Select(s => new Uri(platform.ServiceUrl(s), "/health")).ToList();
using var health = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
async Task<bool> AllHealthyAsync(CancellationToken cancellationToken)
{
    foreach (var instance in instances)
    {
        try
        {
            using var response = await health.GetAsync(instance, cancellationToken);
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
var faults = new Faults(platform, platform.KillOrder, new[] { candidatesDbRelay, candidatesMqRelay, matchingDbRelay }.ToDictionary(r => r.Name), AllHealthyAsync);
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
// A create the client could not learn the outcome of, even retrying with its Idempotency-Key: to a real client it is
// as bad as a lost one (it may exist, and nothing names it).
var unknownCreates = writes.Writes.Count(w => w.IsCreate && w.OutcomeUnknown);
if (unknownCreates > 0)
{
    checker.Problems.Add($"{unknownCreates} create(s) ended with their outcome unknown to the client: {writes.Writes.First(w => w.IsCreate && w.OutcomeUnknown).LastFailure}");
}

Console.WriteLine();
Console.WriteLine($"unknown creates: {unknownCreates} (not acknowledged and possibly applied, after retries with the same Idempotency-Key)");
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

return exitCode;

static async Task<string> RelayedAsync(PostgresDatabaseResource database, TcpRelay relay, CancellationToken cancellationToken) =>
    new NpgsqlConnectionStringBuilder(await database.ConnectionStringExpression.GetValueAsync(cancellationToken)) { Port = relay.Port }.ConnectionString;

// The instances of a service as the AppHost declares them: the service's name, then {name}-2, {name}-3, ….
static IEnumerable<IResourceBuilder<ExecutableResource>> Instances(IDistributedApplicationTestingBuilder builder, string service) =>
    builder.Resources.OfType<ExecutableResource>()
        .Where(r => r.Name == service || Regex.IsMatch(r.Name, $"^{Regex.Escape(service)}-[0-9]+$"))
        .Select(r => builder.CreateResourceBuilder(r))
        .ToList();

static double Percentile(IReadOnlyList<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
