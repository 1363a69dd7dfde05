using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using InterimPlatform.Dashboard.Hosting;
using InterimPlatform.Dashboard.Resources;
using Grpc.Core;
using Grpc.Net.Client;

namespace InterimPlatform.Bench.DashboardTelemetry;

/// <summary>
/// The server time of the dashboard's traces list and of a 200-span trace page with 10,000 traces stored: the real
/// dashboard host (Kestrel on loopback, Blazor prerendering the page with its data, as the AppHost runs it) started in
/// this process with no resources, or a running dashboard given by <c>--pages-url</c>, <c>--otlp-url</c>,
/// <c>--otlp-key</c> and <c>--cookie</c>. The traces arrive over OTLP/gRPC; each GET is timed until its last byte.
/// </summary>
internal static class PageTimings
{
    public static async Task<IReadOnlyList<QueryTimings.Timing>> MeasureAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        if (options.PagesUrl is not null && (options.OtlpUrl is null || options.OtlpKey is null))
        {
            throw new ArgumentException("--pages-url needs --otlp-url and --otlp-key (the dashboard's OTLP/gRPC endpoint and key) to load its traces.");
        }

        var storage = Path.Combine(Path.GetTempPath(), "dashboard-pages-bench-" + Guid.NewGuid().ToString("N"));
        DashboardHost? host = null;
        try
        {
            Uri pagesUrl, otlpUrl;
            string otlpKey;
            var cookies = new CookieContainer();
            if (options.PagesUrl is null)
            {
                host = await DashboardHost.StartAsync(new DashboardOptions
                {
                    Port = Program.FreePort(),
                    OtlpGrpcPort = Program.FreePort(),
                    OtlpHttpPort = Program.FreePort(),
                    LoginToken = Guid.NewGuid().ToString("N"),
                    OtlpApiKey = Program.Key,
                    StorageDirectory = storage,
                }, new NoResources(), TimeProvider.System, cancellationToken);
                (pagesUrl, otlpUrl, otlpKey) = (new Uri(host.Options.BaseUrl), new Uri($"http://localhost:{host.Options.OtlpGrpcPort}"), Program.Key);
            }
            else
            {
                (pagesUrl, otlpUrl, otlpKey) = (options.PagesUrl, options.OtlpUrl!, options.OtlpKey!);
            }

            using var channel = GrpcChannel.ForAddress(otlpUrl, new GrpcChannelOptions { MaxSendMessageSize = 64 * 1024 * 1024 });
            var raw = Marshallers.Create(static (byte[] bytes) => bytes, static bytes => bytes);
            var export = new Method<byte[], byte[]>(MethodType.Unary, OtlpSender.TraceService, "Export", raw, raw);
            var headers = new Metadata { { Program.HeaderName, otlpKey } };
            var bigTrace = await QueryTimings.LoadAsync(async request =>
                await channel.CreateCallInvoker().AsyncUnaryCall(export, null, new CallOptions(headers, cancellationToken: cancellationToken), request));

            using var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = pagesUrl };
            if (host is not null)
            {
                // The printed link: it sets the login cookie, as a user's first click does.
                (await client.GetAsync(host.LoginUrl, cancellationToken)).EnsureSuccessStatusCode();
            }
            else if (options.Cookie is not null)
            {
                client.DefaultRequestHeaders.Add("Cookie", options.Cookie);
            }

            var tracePath = options.TracePath.Replace("{id}", bigTrace, StringComparison.Ordinal);
            var timings = new List<QueryTimings.Timing>
            {
                await TimeAsync(client, "traces list page", options.TracesPath, $"data-trace-id=\"{bigTrace}\"", options.QueryCalls, cancellationToken),
                await TimeAsync(client, "trace page, 200 spans", tracePath, "data-testid=\"span-row\"", options.QueryCalls, cancellationToken),
            };
            Console.WriteLine();
            Console.WriteLine($"Pages rendered by {(host is null ? pagesUrl : "the dashboard host in this process")} with 10,000 traces stored " +
                              $"({options.QueryCalls} GETs each, timed to the last byte):");
            Console.WriteLine($"{"",-36}{"p50 ms",10}{"p99 ms",10}{"p99 / 300 ms budget",22}");
            foreach (var timing in timings)
            {
                Console.WriteLine($"{timing.Name,-36}{Ms(timing.P50),10}{Ms(timing.P99),10}{(timing.P99.TotalMilliseconds / 300).ToString("P1", CultureInfo.InvariantCulture),22}");
            }
            return timings;
        }
        finally
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
            if (Directory.Exists(storage))
            {
                Directory.Delete(storage, recursive: true);
            }
        }
    }

    private static async Task<QueryTimings.Timing> TimeAsync(HttpClient client, string name, string path, string mustShow, int calls, CancellationToken cancellationToken)
    {
        var samples = new List<TimeSpan>(calls);
        for (var i = 0; i < calls + 3; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await client.GetAsync(path, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            clock.Stop();
            response.EnsureSuccessStatusCode();
            if (response.RequestMessage?.RequestUri?.AbsolutePath.StartsWith("/login", StringComparison.Ordinal) == true)
            {
                throw new InvalidOperationException($"GET {path} was sent to the login page: the cookie is missing or stale.");
            }
            // Prerendering must have drawn the data, not an empty frame (or "not found") that fills in later.
            if (!body.Contains(mustShow, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"GET {path} has no {mustShow}: the page was not rendered with its data.");
            }
            if (i >= 3)
            {
                samples.Add(clock.Elapsed);
            }
        }
        samples.Sort();
        return new QueryTimings.Timing(name, samples[samples.Count / 2], samples[(int)Math.Ceiling(samples.Count * 0.99) - 1]);
    }

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>The pages timed here do not list resources; the host needs a source all the same.</summary>
    private sealed class NoResources : IResourceSource
    {
        public IReadOnlyList<DashboardResource> Resources => [];

        public async IAsyncEnumerable<DashboardResource> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            yield break;
        }

        public IReadOnlyList<ConsoleLine> ConsoleTail(string resource, int count) => [];

        public async IAsyncEnumerable<ConsoleLine> WatchConsoleAsync(string resource, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            yield break;
        }

        public Task<CommandResult> ExecuteAsync(string resource, ResourceCommand command, CancellationToken cancellationToken) =>
            Task.FromResult(new CommandResult(false, "no resources in the benchmark"));
    }
}
