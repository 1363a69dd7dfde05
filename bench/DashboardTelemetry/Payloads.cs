using Google.Protobuf;
using InterimPlatform.Dashboard.Otlp.Collector.Logs;
using InterimPlatform.Dashboard.Otlp.Collector.Trace;
using InterimPlatform.Dashboard.Otlp.Common;
using InterimPlatform.Dashboard.Otlp.Logs;
using InterimPlatform.Dashboard.Otlp.Trace;
using OtlpResource = InterimPlatform.Dashboard.Otlp.Resource.Resource;

namespace InterimPlatform.Bench.DashboardTelemetry;

/// <summary>
/// Export requests shaped like the platform's: one service per request (as each process exports its own), 512 items
/// per request (the .NET exporter's default batch), spans with the attributes ASP.NET Core, HttpClient and Npgsql set.
/// Serialized up front, so senders spend nothing on building them.
/// </summary>
internal static class Payloads
{
    public const int ItemsPerRequest = 512;
    public static readonly string[] Services = ["gateway", "candidates", "engagements", "matching"];

    public static ByteString RandomId(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return ByteString.CopyFrom(bytes);
    }

    public static OtlpResource Resource(string service)
    {
        var resource = new OtlpResource();
        resource.Attributes.Add(Text("service.name", service));
        resource.Attributes.Add(Text("service.instance.id", service[..3] + "00001"));
        resource.Attributes.Add(Text("telemetry.sdk.name", "opentelemetry"));
        resource.Attributes.Add(Text("telemetry.sdk.language", "dotnet"));
        resource.Attributes.Add(Text("telemetry.sdk.version", "1.20.1"));
        return resource;
    }

    public static KeyValue Text(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    public static KeyValue Number(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };

    /// <summary>Spans of traces of <paramref name="spansPerTrace"/> spans each: a server span and its children.</summary>
    public static IEnumerable<Span> TraceSpans(Random random, DateTimeOffset start, int spansPerTrace, ByteString? traceId = null,
        ByteString? parent = null, ByteString? root = null)
    {
        traceId ??= RandomId(random, 16);
        root ??= RandomId(random, 8);
        var time = (ulong)(start - DateTimeOffset.UnixEpoch).Ticks * 100;
        for (var i = 0; i < spansPerTrace; i++)
        {
            var span = new Span
            {
                TraceId = traceId,
                SpanId = i == 0 ? root : RandomId(random, 8),
                Name = i == 0 ? "POST /api/candidates" : i % 2 == 0 ? "INSERT candidates" : "POST http://matching/rank",
                Kind = i == 0 ? Span.Types.SpanKind.Server : Span.Types.SpanKind.Client,
                StartTimeUnixNano = time + (ulong)i * 100_000,
                EndTimeUnixNano = time + (ulong)i * 100_000 + (i == 0 ? 20_000_000UL : 1_000_000UL),
            };
            if (i > 0)
            {
                span.ParentSpanId = root;
            }
            else if (parent is not null)
            {
                span.ParentSpanId = parent;
            }
            span.Attributes.Add(Text("http.request.method", "POST"));
            span.Attributes.Add(Text("url.path", "/api/candidates"));
            span.Attributes.Add(Number("http.response.status_code", 201));
            span.Attributes.Add(Text("server.address", "localhost"));
            span.Attributes.Add(Number("server.port", 5100));
            span.Attributes.Add(Text(i % 2 == 0 ? "db.system" : "network.protocol.version", i % 2 == 0 ? "postgresql" : "1.1"));
            yield return span;
        }
    }

    public static byte[] Traces(Random random, string service, DateTimeOffset start, int spansPerTrace = 8, int items = ItemsPerRequest)
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "Microsoft.AspNetCore" } };
        var time = start;
        while (scope.Spans.Count < items)
        {
            scope.Spans.AddRange(TraceSpans(random, time, Math.Min(spansPerTrace, items - scope.Spans.Count)));
            time = time.AddMilliseconds(1);
        }
        var resourceSpans = new ResourceSpans { Resource = Resource(service) };
        resourceSpans.ScopeSpans.Add(scope);
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(resourceSpans);
        return request.ToByteArray();
    }

    /// <summary>
    /// Traces that cross services as the platform's do (gateway → candidates → matching), as one export request per
    /// service; every trace has <paramref name="spans"/> spans split over the three.
    /// </summary>
    public static IEnumerable<byte[]> CrossServiceTraces(Random random, DateTimeOffset start, int traces, int spans)
    {
        var perService = new[] { spans - 2 * (spans * 3 / 10), spans * 3 / 10, spans * 3 / 10 };
        string[] services = ["gateway", "candidates", "matching"];
        var requests = services.Select(_ => new ScopeSpans { Scope = new InstrumentationScope { Name = "Microsoft.AspNetCore" } }).ToArray();
        for (var t = 0; t < traces; t++)
        {
            var traceId = RandomId(random, 16);
            var gatewayRoot = RandomId(random, 8);
            var time = start.AddMilliseconds(t);
            for (var s = 0; s < services.Length; s++)
            {
                requests[s].Spans.AddRange(TraceSpans(random, time.AddTicks(s * 10), perService[s], traceId,
                    parent: s == 0 ? null : gatewayRoot, root: s == 0 ? gatewayRoot : null));
            }
            if (requests[0].Spans.Count >= ItemsPerRequest || t == traces - 1)
            {
                for (var s = 0; s < services.Length; s++)
                {
                    var resourceSpans = new ResourceSpans { Resource = Resource(services[s]) };
                    resourceSpans.ScopeSpans.Add(requests[s]);
                    var request = new ExportTraceServiceRequest();
                    request.ResourceSpans.Add(resourceSpans);
                    yield return request.ToByteArray();
                    requests[s] = new ScopeSpans { Scope = new InstrumentationScope { Name = "Microsoft.AspNetCore" } };
                }
            }
        }
    }

    public static byte[] Logs(Random random, string service, DateTimeOffset start)
    {
        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "InterimPlatform.Candidates.Intake" } };
        var time = (ulong)(start - DateTimeOffset.UnixEpoch).Ticks * 100;
        for (var i = 0; i < ItemsPerRequest; i++)
        {
            var record = new LogRecord
            {
                TimeUnixNano = time + (ulong)i * 1000,
                SeverityNumber = i % 10 == 0 ? SeverityNumber.Warn : SeverityNumber.Info,
                SeverityText = i % 10 == 0 ? "Warning" : "Information",
                Body = new AnyValue { StringValue = $"Partner message {i} from nordic-interim applied: candidate {random.Next()} registered" },
                TraceId = RandomId(random, 16),
                SpanId = RandomId(random, 8),
            };
            record.Attributes.Add(Text("partner", "nordic-interim"));
            record.Attributes.Add(Number("candidate.count", i));
            record.Attributes.Add(Text("{OriginalFormat}", "Partner message {Index} from {Partner} applied: candidate {CandidateId} registered"));
            scope.LogRecords.Add(record);
        }
        var resourceLogs = new ResourceLogs { Resource = Resource(service) };
        resourceLogs.ScopeLogs.Add(scope);
        var request = new ExportLogsServiceRequest();
        request.ResourceLogs.Add(resourceLogs);
        return request.ToByteArray();
    }
}
