using System.Diagnostics;
using System.Globalization;
using InterimPlatform.Dashboard.Telemetry;

namespace InterimPlatform.Bench.DashboardTelemetry;

/// <summary>The store's answer time for what the traces pages ask, with 10,000 traces stored (each across three services).</summary>
internal static class QueryTimings
{
    public const int Traces = 10_000;
    public const int BigTraceSpans = 200;

    public sealed record Timing(string Name, TimeSpan P50, TimeSpan P99);

    /// <summary>10,000 ten-span traces over gateway, candidates and matching, then one 200-span trace; returns its id.</summary>
    public static async Task<string> LoadAsync(Func<byte[], Task> ingest)
    {
        var random = new Random(11);
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        foreach (var request in Payloads.CrossServiceTraces(random, start, Traces, 10))
        {
            await ingest(request);
        }
        byte[]? big = null;
        foreach (var request in Payloads.CrossServiceTraces(random, DateTimeOffset.UtcNow.AddMinutes(-1), 1, BigTraceSpans))
        {
            big ??= request;
            await ingest(request);
        }
        var parsed = InterimPlatform.Dashboard.Otlp.Collector.Trace.ExportTraceServiceRequest.Parser.ParseFrom(big);
        return Convert.ToHexStringLower(parsed.ResourceSpans[0].ScopeSpans[0].Spans[0].TraceId.Span);
    }

    public static async Task<IReadOnlyList<Timing>> MeasureAsync(int calls, CancellationToken cancellationToken)
    {
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        await using var store = new TelemetryStore(new TelemetryOptions());
        await store.StartAsync(cancellationToken);
        var bigTrace = await LoadAsync(request => store.IngestAsync(TelemetrySignal.Traces, request, cancellationToken).AsTask());
        var listed = store.QueryTraces(new TraceQuery(Take: 1));
        var heap = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
        var detail = store.GetTrace(bigTrace)!;
        // One new 8-span trace before each call: the list must be re-sorted, as while services keep exporting.
        var fresh = new Random(3);
        var extra = new Queue<byte[]>(Enumerable.Range(0, calls + 5).Select(_ => Payloads.Traces(fresh, "gateway", DateTimeOffset.UtcNow, items: 8)));

        var timings = new List<Timing>
        {
            await MeasureAsync("traces list, first page of 50", calls, () => store.QueryTraces(new TraceQuery(Take: 50))),
            await MeasureAsync("traces list filtered by name", calls, () => store.QueryTraces(new TraceQuery(Name: "matching/rank", Take: 50))),
            await MeasureAsync($"trace of {detail.Spans.Count} spans", calls, () => store.GetTrace(bigTrace)),
        };
        // Measured last: the new traces it adds push the oldest out.
        timings.Add(await MeasureAsync("traces list after a new trace", calls, () => store.QueryTraces(new TraceQuery(Take: 50)),
            before: () => store.IngestAsync(TelemetrySignal.Traces, extra.Dequeue(), cancellationToken).AsTask()));

        Console.WriteLine();
        Console.WriteLine($"Store answers with {listed.Total:N0} traces stored ({string.Join(", ", store.Resources().Select(r => r.Name))}; " +
                          $"{heap / 1048576.0:F0} MB of managed heap), {calls} calls each:");
        Console.WriteLine($"{"",-36}{"p50 ms",10}{"p99 ms",10}{"p99 / 300 ms budget",22}");
        foreach (var timing in timings)
        {
            Console.WriteLine($"{timing.Name,-36}{Ms(timing.P50),10}{Ms(timing.P99),10}{(timing.P99.TotalMilliseconds / 300).ToString("P1", CultureInfo.InvariantCulture),22}");
        }
        return timings;
    }

    private static string Ms(TimeSpan time) => time.TotalMilliseconds.ToString("F2", CultureInfo.InvariantCulture);

    /// <param name="before">Run before each call, outside the clock (for example new telemetry that makes the list re-sort).</param>
    private static async Task<Timing> MeasureAsync(string name, int calls, Func<object?> query, Func<Task>? before = null)
    {
        for (var i = 0; i < 5; i++)
        {
            query();
        }
        var samples = new List<TimeSpan>(calls);
        for (var i = 0; i < calls; i++)
        {
            if (before is not null)
            {
                await before();
            }
            var clock = Stopwatch.StartNew();
            GC.KeepAlive(query());
            samples.Add(clock.Elapsed);
        }
        samples.Sort();
        return new Timing(name, samples[samples.Count / 2], samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(samples.Count * 0.99) - 1)]);
    }
}
