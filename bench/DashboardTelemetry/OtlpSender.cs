using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;

namespace InterimPlatform.Bench.DashboardTelemetry;

/// <summary>Concurrent OTLP/gRPC senders of prepared export requests, each on its own HTTP/2 connection (as each service has).</summary>
internal static class OtlpSender
{
    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(static bytes => bytes, static bytes => bytes);

    public static string TraceService => "opentelemetry.proto.collector.trace.v1.TraceService";

    public static string LogsService => "opentelemetry.proto.collector.logs.v1.LogsService";

    /// <summary>Sends every request once, <paramref name="senders"/> at a time; returns the time until the last was acknowledged.</summary>
    public static async Task<TimeSpan> SendAsync(Uri endpoint, string key, string service, IReadOnlyList<byte[]> requests, int senders,
        CancellationToken cancellationToken)
    {
        var method = new Method<byte[], byte[]>(MethodType.Unary, service, "Export", Raw, Raw);
        var channels = Enumerable.Range(0, senders).Select(_ => GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions
        {
            MaxSendMessageSize = 64 * 1024 * 1024,
        })).ToList();
        try
        {
            var headers = new Metadata { { Program.HeaderName, key } };
            // One warm-up call per channel opens its connection before the clock starts.
            foreach (var channel in channels)
            {
                await channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(headers, cancellationToken: cancellationToken), requests[0]);
            }
            var next = -1;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(channels.Select(async channel =>
            {
                var invoker = channel.CreateCallInvoker();
                int index;
                while ((index = Interlocked.Increment(ref next)) < requests.Count)
                {
                    await invoker.AsyncUnaryCall(method, null, new CallOptions(headers, cancellationToken: cancellationToken), requests[index]);
                }
            }));
            return clock.Elapsed;
        }
        finally
        {
            foreach (var channel in channels)
            {
                channel.Dispose();
            }
        }
    }
}
