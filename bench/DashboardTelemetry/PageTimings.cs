using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;

namespace InterimPlatform.Bench.DashboardTelemetry;

/// <summary>
/// The seam for page render timing once the pages exist: sends the same 10,000 traces to a running dashboard's OTLP/gRPC
/// endpoint (<c>--otlp-url</c>, <c>--otlp-key</c>), then times GETs of its traces list and of the 200-span trace
/// (<c>--pages-url</c> with <c>--traces-path</c>, <c>--trace-path</c> containing <c>{id}</c>, and the login cookie as <c>--cookie</c>).
/// </summary>
internal static class PageTimings
{
    public static async Task MeasureAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        if (options.OtlpUrl is null || options.OtlpKey is null)
        {
            Console.WriteLine("--pages-url needs --otlp-url and --otlp-key (the dashboard's OTLP/gRPC endpoint and key) to load its traces.");
            return;
        }
        using var channel = GrpcChannel.ForAddress(options.OtlpUrl, new GrpcChannelOptions { MaxSendMessageSize = 64 * 1024 * 1024 });
        var raw = Marshallers.Create(static (byte[] bytes) => bytes, static bytes => bytes);
        var export = new Method<byte[], byte[]>(MethodType.Unary, OtlpSender.TraceService, "Export", raw, raw);
        var headers = new Metadata { { Program.HeaderName, options.OtlpKey } };
        var bigTrace = await QueryTimings.LoadAsync(async request =>
            await channel.CreateCallInvoker().AsyncUnaryCall(export, null, new CallOptions(headers, cancellationToken: cancellationToken), request));

        using var client = new HttpClient { BaseAddress = options.PagesUrl };
        if (options.Cookie is not null)
        {
            client.DefaultRequestHeaders.Add("Cookie", options.Cookie);
        }
        Console.WriteLine();
        Console.WriteLine($"Pages at {options.PagesUrl} ({options.QueryCalls} GETs each):");
        await TimeAsync(client, options.TracesPath, options.QueryCalls, cancellationToken);
        await TimeAsync(client, options.TracePath.Replace("{id}", bigTrace, StringComparison.Ordinal), options.QueryCalls, cancellationToken);
    }

    private static async Task TimeAsync(HttpClient client, string path, int calls, CancellationToken cancellationToken)
    {
        var samples = new List<double>(calls);
        for (var i = 0; i < calls + 3; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await client.GetAsync(path, cancellationToken);
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
            response.EnsureSuccessStatusCode();
            if (i >= 3)
            {
                samples.Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        samples.Sort();
        Console.WriteLine($"GET {path,-48} p50 {samples[samples.Count / 2].ToString("F1", CultureInfo.InvariantCulture)} ms, " +
                          $"p99 {samples[(int)Math.Ceiling(samples.Count * 0.99) - 1].ToString("F1", CultureInfo.InvariantCulture)} ms (budget 300 ms)");
    }
}
