using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using InterimPlatform.Dashboard.Telemetry;
using InterimPlatform.Dashboard.Telemetry.Receivers;

namespace InterimPlatform.Bench.DashboardTelemetry;

/// <summary>
/// dotnet run -c Release --project bench/DashboardTelemetry [-- --requests 200 --senders 4 --rounds 3 --query-calls 200 --queries-only]
/// [--pages-url URL --otlp-url URL --otlp-key KEY [--cookie NAME=VALUE]] [--traces-path /traces] [--trace-path /traces/{id}]
/// (pages: the dashboard host started in this process, or a running one given by --pages-url)
/// </summary>
internal static class Program
{
    public const string HeaderName = OtlpApiKey.HeaderName;
    public const string Key = "bench-otlp-key";
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task<int> Main(string[] args)
    {
        var options = BenchOptions.Parse(args);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        var cancellationToken = stop.Token;

        Console.WriteLine($"OTLP ingestion over gRPC: {options.Requests} export requests of {Payloads.ItemsPerRequest} items per signal, " +
                          $"{options.Senders} concurrent senders, best of {options.Rounds} rounds; persistence on.");
        var random = new Random(7);
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        var traceRequests = Enumerable.Range(0, options.Requests)
            .Select(i => Payloads.Traces(random, Payloads.Services[i % Payloads.Services.Length], start.AddSeconds(i))).ToList();
        var logRequests = Enumerable.Range(0, options.Requests)
            .Select(i => Payloads.Logs(random, Payloads.Services[i % Payloads.Services.Length], start.AddSeconds(i))).ToList();
        var items = (double)options.Requests * Payloads.ItemsPerRequest;

        var results = new Dictionary<string, double>();
        for (var round = 1; round <= (options.QueriesOnly ? 0 : options.Rounds); round++)
        {
            await using (var discard = await DiscardReceiver.StartAsync(FreePort(), cancellationToken))
            {
                Best(results, "ceiling spans", items / (await OtlpSender.SendAsync(discard.Endpoint, Key, OtlpSender.TraceService, traceRequests, options.Senders, cancellationToken)).TotalSeconds);
                Best(results, "ceiling logs", items / (await OtlpSender.SendAsync(discard.Endpoint, Key, OtlpSender.LogsService, logRequests, options.Senders, cancellationToken)).TotalSeconds);
            }
            var directory = Path.Combine(Path.GetTempPath(), "dashboard-telemetry-bench-" + Guid.NewGuid().ToString("N"));
            try
            {
                await using var host = await OtlpReceiverHost.StartAsync(telemetry =>
                {
                    telemetry.ApiKey = Key;
                    telemetry.StorageDirectory = directory;
                }, cancellationToken);
                var acknowledged = await OtlpSender.SendAsync(host.GrpcEndpoint, Key, OtlpSender.TraceService, traceRequests, options.Senders, cancellationToken);
                var flushClock = Stopwatch.StartNew();
                await host.Store.FlushAsync(cancellationToken);
                Best(results, "store spans", items / acknowledged.TotalSeconds);
                Best(results, "store spans persisted", items / (acknowledged + flushClock.Elapsed).TotalSeconds);

                acknowledged = await OtlpSender.SendAsync(host.GrpcEndpoint, Key, OtlpSender.LogsService, logRequests, options.Senders, cancellationToken);
                flushClock.Restart();
                await host.Store.FlushAsync(cancellationToken);
                Best(results, "store logs", items / acknowledged.TotalSeconds);
                Best(results, "store logs persisted", items / (acknowledged + flushClock.Elapsed).TotalSeconds);
                var bytes = Directory.GetFiles(directory).Sum(file => new FileInfo(file).Length);
                results["segment MB"] = bytes / 1048576.0;
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        var spansTarget = options.QueriesOnly;
        if (!options.QueriesOnly)
        {
            Console.WriteLine();
            Console.WriteLine($"{"",-32}{"per second",14}{"vs ceiling",12}");
            Row("spans: parse and discard", results["ceiling spans"], null);
            Row("spans: stored (acknowledged)", results["store spans"], results["store spans"] / results["ceiling spans"]);
            Row("spans: stored and persisted", results["store spans persisted"], results["store spans persisted"] / results["ceiling spans"]);
            Row("logs: parse and discard", results["ceiling logs"], null);
            Row("logs: stored (acknowledged)", results["store logs"], results["store logs"] / results["ceiling logs"]);
            Row("logs: stored and persisted", results["store logs persisted"], results["store logs persisted"] / results["ceiling logs"]);
            Console.WriteLine($"segment files after one round: {results["segment MB"].ToString("F1", Invariant)} MB");
            spansTarget = results["store spans persisted"] >= 50_000;
            Console.WriteLine($"target ≥ 50,000 spans/s stored and persisted: {(spansTarget ? "met" : "NOT met")}");
        }

        var queries = await QueryTimings.MeasureAsync(options.QueryCalls, cancellationToken);
        var queriesTarget = queries.All(q => q.P99 < TimeSpan.FromMilliseconds(300));

        var pages = await PageTimings.MeasureAsync(options, cancellationToken);
        var pagesTarget = pages.All(p => p.P99 < TimeSpan.FromMilliseconds(300));
        Console.WriteLine($"target pages under 300 ms (p99): {(pagesTarget ? "met" : "NOT met")}");
        return spansTarget && queriesTarget && pagesTarget ? 0 : 1;
    }

    private static void Best(Dictionary<string, double> results, string name, double value) =>
        results[name] = Math.Max(results.GetValueOrDefault(name), value);

    private static void Row(string name, double rate, double? ratio) =>
        Console.WriteLine($"{name,-32}{rate.ToString("N0", Invariant),14}{(ratio is { } r ? r.ToString("P0", Invariant) : ""),12}");

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

internal sealed record BenchOptions(int Requests, int Senders, int Rounds, int QueryCalls, Uri? PagesUrl, Uri? OtlpUrl, string? OtlpKey,
    string? Cookie, string TracesPath, string TracePath, bool QueriesOnly)
{
    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(arg => arg != name).Skip(1).FirstOrDefault();
        int Number(string name, int fallback) => int.TryParse(Value(name), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : fallback;
        return new BenchOptions(Number("--requests", 200), Number("--senders", 4), Number("--rounds", 3), Number("--query-calls", 200),
            Value("--pages-url") is { } pages ? new Uri(pages) : null, Value("--otlp-url") is { } otlp ? new Uri(otlp) : null,
            Value("--otlp-key"), Value("--cookie"), Value("--traces-path") ?? "/traces", Value("--trace-path") ?? "/traces/{id}",
            args.Contains("--queries-only"));
    }
}
