using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using InterimPlatform.Bench.Platform;
using Npgsql;

namespace InterimPlatform.Bench.FaultSuite;

/// <summary>
/// The sustained-load run: finds the API concurrency with the best throughput whose p99 stays under the bound (a short step at
/// each level), then holds it for the stated time through the gateway while partner messages flow through the
/// exchange, and reports throughput, p50/p99 and every resource's memory (PSS of its process tree) at start, after
/// the warm-up and at the end, sampled every 30 s through the hold.
/// </summary>
internal sealed class LoadRun(BenchPlatform platform, HttpClient gateway, PartnerFeed feed, string run)
{
    private static readonly string[] Disciplines = ["finance", "operations", "it", "hr", "sales"];
    private int _sequence;

    public async Task<int> RunAsync(TimeSpan hold, TimeSpan p99Bound, int partnerRate, CancellationToken cancellationToken)
    {
        // Some data to search and rank first, stored and in Matching before the first step (on a busy machine the
        // seed's ingestion would otherwise still be running through the first steps).
        var seeding = Stopwatch.StartNew();
        await feed.RunAsync(5_000, 5_000_000, TimeSpan.FromSeconds(5), cancellationToken);
        await SeedSettledAsync(5_000, TimeSpan.FromMinutes(5), cancellationToken);
        Console.WriteLine($"Seeded 5,000 partner candidates, stored and in Matching, in {seeding.Elapsed.TotalSeconds:0} s.");
        await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
        var before = Memory();

        Console.WriteLine($"Finding the API concurrency with the best throughput and p99 under {p99Bound.TotalMilliseconds:0} ms (15 s a step; mix: 50 % search, 20 % ranking, 30 % candidate created):");
        // The level with the highest throughput among those within the bound.
        var chosen = 0;
        var best = 0.0;
        foreach (var concurrency in new[] { 2, 4, 8, 16, 32 })
        {
            var step = await DriveAsync(concurrency, TimeSpan.FromSeconds(15), cancellationToken);
            Console.WriteLine($"  {concurrency,3} concurrent: {step.Throughput,7:N0} req/s, p50 {step.P50,6:0.0} ms, p99 {step.P99,7:0.0} ms, errors {step.Errors}");
            if (step.P99 > p99Bound.TotalMilliseconds || step.Errors > 0)
            {
                break;
            }

            if (step.Throughput > best)
            {
                (chosen, best) = (concurrency, step.Throughput);
            }
        }

        if (chosen == 0)
        {
            Console.WriteLine("No concurrency held the bound.");
            return 1;
        }

        Console.WriteLine($"Holding {chosen} concurrent API clients and {partnerRate} partner messages/s for {hold.TotalSeconds:0} s (partners read their receipts as they come) ...");
        var warm = Memory();
        var samples = new List<(TimeSpan At, long Total)> { (TimeSpan.Zero, warm.Values.Sum()) };
        using var holding = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receipts = feed.DrainReceiptsAsync(holding.Token);
        var sampling = SampleAsync(samples, TimeSpan.FromSeconds(30), holding.Token);
        var partners = feed.RunAsync((int)(partnerRate * hold.TotalSeconds), 6_000_000, hold, cancellationToken);
        var held = await DriveAsync(chosen, hold, cancellationToken);
        var published = await partners;
        await Task.Delay(TimeSpan.FromSeconds(15), cancellationToken);
        var after = Memory();
        await holding.CancelAsync();
        var drained = await receipts;
        await sampling;

        Console.WriteLine();
        Console.WriteLine($"sustained: {held.Throughput:N0} API req/s at {chosen} concurrent, p50 {held.P50:0.0} ms, p99 {held.P99:0.0} ms (bound {p99Bound.TotalMilliseconds:0} ms), {held.Requests:N0} requests, {held.Errors} errors;");
        Console.WriteLine($"           {published.Valid:N0} partner messages published at {published.Valid / hold.TotalSeconds:N0}/s alongside, {drained:N0} receipts read");
        Console.WriteLine();
        Console.WriteLine($"{"resource (PSS)",-16} {"at start",13} {"after warm-up",14} {"at end",9} {"during the hold",16}");
        foreach (var (name, start) in before.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            var first = warm.GetValueOrDefault(name);
            var end = after.GetValueOrDefault(name);
            Console.WriteLine($"{name,-16} {start / 1024.0,10:0.0} MB {first / 1024.0,11:0.0} MB {end / 1024.0,6:0.0} MB {(end - first) / (double)Math.Max(1, first),15:+0%;-0%}");
        }

        Console.WriteLine($"{"all",-16} {before.Values.Sum() / 1024.0,10:0.0} MB {warm.Values.Sum() / 1024.0,11:0.0} MB {after.Values.Sum() / 1024.0,6:0.0} MB");
        Console.WriteLine($"all processes every 30 s of the hold: {string.Join(", ", samples.Select(s => $"{s.Total / 1024.0:0} MB"))}");
        return held.P99 <= p99Bound.TotalMilliseconds && held.Errors == 0 ? 0 : 1;
    }

    private async Task SampleAsync(List<(TimeSpan At, long Total)> samples, TimeSpan every, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            while (true)
            {
                await Task.Delay(every, cancellationToken);
                samples.Add((watch.Elapsed, Memory().Values.Sum()));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed record Step(int Requests, int Errors, double Throughput, double P50, double P99);

    private async Task<Step> DriveAsync(int concurrency, TimeSpan duration, CancellationToken cancellationToken)
    {
        var latencies = new ConcurrentBag<double>();
        var errors = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var random = new Random(worker);
            while (watch.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await SendOneAsync(random, cancellationToken);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref errors);
                        continue;
                    }

                    await response.Content.LoadIntoBufferAsync(cancellationToken);
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref errors); // no answer, or none within the client's 15 s
                }
            }
        }));
        var sorted = latencies.Order().ToList();
        return new Step(sorted.Count + errors, errors, sorted.Count / watch.Elapsed.TotalSeconds,
            sorted.Count == 0 ? 0 : sorted[sorted.Count / 2], sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * 0.99))]);
    }

    private Task<HttpResponseMessage> SendOneAsync(Random random, CancellationToken cancellationToken)
    {
        var pick = random.Next(10);
        var discipline = Disciplines[random.Next(Disciplines.Length)];
        if (pick < 5)
        {
            return gateway.GetAsync($"/api/candidates?discipline={discipline}&sort=name&pageSize=20", cancellationToken);
        }

        if (pick < 7)
        {
            return gateway.PostAsJsonAsync("/api/matching/rankings", new JsonObject
            {
                ["brief"] = new JsonObject
                {
                    ["engagementType"] = "crisis", ["level"] = "senior-management", ["discipline"] = discipline, ["country"] = "SE",
                    ["remotePossible"] = true, ["languages"] = new JsonArray(), ["mustHaveSkills"] = new JsonArray(), ["niceToHaveSkills"] = new JsonArray("lean"),
                    ["startDate"] = "2027-02-01", ["durationWeeks"] = 26, ["daysPerWeek"] = 5,
                },
                ["top"] = 20,
                ["includeCandidatesInVetting"] = true,
            }, cancellationToken);
        }

        var n = Interlocked.Increment(ref _sequence);
        return gateway.PostAsJsonAsync("/api/candidates", ApiWrites.CandidateBody($"load-{run}-{n}@suite.example", n), cancellationToken);
    }

    /// <summary>Waits until the seeded partner people are candidates, every outbox row is sent and Matching's pool holds them.</summary>
    private async Task SeedSettledAsync(int people, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (await CountAsync("candidates", "SELECT count(*) FROM candidates WHERE partner_id IS NOT NULL", cancellationToken) >= people
                && await CountAsync("candidates", "SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL", cancellationToken) == 0
                && await CountAsync("matching", "SELECT count(*) FROM pool_candidates", cancellationToken) >= people)
            {
                return;
            }

            await Task.Delay(500, cancellationToken);
        }

        Console.WriteLine($"The seed had not settled after {timeout.TotalMinutes:0} min; going on.");
    }

    private async Task<long> CountAsync(string database, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(platform.DatabaseConnectionString(database));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Memory (PSS, KiB) of each running resource: its process and all its descendants (PostgreSQL's backends, RabbitMQ's helpers).</summary>
    private Dictionary<string, long> Memory() => platform.ResourceMemory().ToDictionary(m => m.Key, m => m.Value / 1024);
}
