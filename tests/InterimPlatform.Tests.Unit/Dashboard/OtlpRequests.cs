using Google.Protobuf;
using InterimPlatform.Dashboard.Otlp.Collector.Logs;
using InterimPlatform.Dashboard.Otlp.Collector.Metrics;
using InterimPlatform.Dashboard.Otlp.Collector.Trace;
using InterimPlatform.Dashboard.Otlp.Common;
using InterimPlatform.Dashboard.Otlp.Logs;
using InterimPlatform.Dashboard.Otlp.Metrics;
using InterimPlatform.Dashboard.Otlp.Trace;
using OtlpResource = InterimPlatform.Dashboard.Otlp.Resource.Resource;

namespace InterimPlatform.Tests.Unit.Dashboard;

/// <summary>OTLP export requests as an exporter would send them, built by hand for the store's tests.</summary>
internal static class OtlpRequests
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    public static ulong Nanos(DateTimeOffset time) => (ulong)(time - DateTimeOffset.UnixEpoch).Ticks * 100;

    public static string TraceId(int n) => n.ToString("x32");

    public static string SpanId(int n) => n.ToString("x16");

    public static OtlpResource Resource(string service, string? instance = null)
    {
        var resource = new OtlpResource();
        resource.Attributes.Add(Attribute("service.name", service));
        if (instance is not null)
        {
            resource.Attributes.Add(Attribute("service.instance.id", instance));
        }
        return resource;
    }

    public static KeyValue Attribute(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    public static Span Span(int trace, int span, int? parent, string name, DateTimeOffset start, TimeSpan duration, bool error = false,
        params (string Key, string Value)[] attributes)
    {
        var result = new Span
        {
            TraceId = ByteString.CopyFrom(Convert.FromHexString(TraceId(trace))),
            SpanId = ByteString.CopyFrom(Convert.FromHexString(SpanId(span))),
            Name = name,
            Kind = InterimPlatform.Dashboard.Otlp.Trace.Span.Types.SpanKind.Server,
            StartTimeUnixNano = Nanos(start),
            EndTimeUnixNano = Nanos(start + duration),
        };
        if (parent is { } parentId)
        {
            result.ParentSpanId = ByteString.CopyFrom(Convert.FromHexString(SpanId(parentId)));
        }
        if (error)
        {
            result.Status = new Status { Code = Status.Types.StatusCode.Error, Message = "failed" };
        }
        foreach (var (key, value) in attributes)
        {
            result.Attributes.Add(Attribute(key, value));
        }
        return result;
    }

    public static ExportTraceServiceRequest Traces(OtlpResource resource, params Span[] spans)
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "Tests" } };
        scope.Spans.AddRange(spans);
        var resourceSpans = new ResourceSpans { Resource = resource };
        resourceSpans.ScopeSpans.Add(scope);
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(resourceSpans);
        return request;
    }

    public static LogRecord Log(string message, DateTimeOffset time, int severity = 9, int? trace = null, params (string Key, string Value)[] attributes)
    {
        var record = new LogRecord
        {
            TimeUnixNano = Nanos(time),
            SeverityNumber = (SeverityNumber)severity,
            Body = new AnyValue { StringValue = message },
        };
        if (trace is { } traceId)
        {
            record.TraceId = ByteString.CopyFrom(Convert.FromHexString(TraceId(traceId)));
            record.SpanId = ByteString.CopyFrom(Convert.FromHexString(SpanId(1)));
        }
        foreach (var (key, value) in attributes)
        {
            record.Attributes.Add(Attribute(key, value));
        }
        return record;
    }

    public static ExportLogsServiceRequest Logs(OtlpResource resource, params LogRecord[] records)
    {
        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "Tests.Category" } };
        scope.LogRecords.AddRange(records);
        var resourceLogs = new ResourceLogs { Resource = resource };
        resourceLogs.ScopeLogs.Add(scope);
        var request = new ExportLogsServiceRequest();
        request.ResourceLogs.Add(resourceLogs);
        return request;
    }

    public static ExportMetricsServiceRequest Metrics(OtlpResource resource, params Metric[] metrics)
    {
        var scope = new ScopeMetrics { Scope = new InstrumentationScope { Name = "Tests.Meter" } };
        scope.Metrics.AddRange(metrics);
        var resourceMetrics = new ResourceMetrics { Resource = resource };
        resourceMetrics.ScopeMetrics.Add(scope);
        var request = new ExportMetricsServiceRequest();
        request.ResourceMetrics.Add(resourceMetrics);
        return request;
    }

    /// <summary>A cumulative monotonic sum (a .NET Counter) with one point.</summary>
    public static Metric Counter(string name, DateTimeOffset start, DateTimeOffset time, double value, params (string Key, string Value)[] attributes)
    {
        var point = new NumberDataPoint { StartTimeUnixNano = Nanos(start), TimeUnixNano = Nanos(time), AsDouble = value };
        foreach (var (key, v) in attributes)
        {
            point.Attributes.Add(Attribute(key, v));
        }
        var sum = new Sum { IsMonotonic = true, AggregationTemporality = AggregationTemporality.Cumulative };
        sum.DataPoints.Add(point);
        return new Metric { Name = name, Unit = "{request}", Sum = sum };
    }

    public static Metric Gauge(string name, DateTimeOffset time, long value, params (string Key, string Value)[] attributes)
    {
        var point = new NumberDataPoint { TimeUnixNano = Nanos(time), AsInt = value };
        foreach (var (key, v) in attributes)
        {
            point.Attributes.Add(Attribute(key, v));
        }
        var gauge = new Gauge();
        gauge.DataPoints.Add(point);
        return new Metric { Name = name, Gauge = gauge };
    }

    /// <summary>A cumulative explicit-bucket histogram with one point.</summary>
    public static Metric Histogram(string name, DateTimeOffset start, DateTimeOffset time, double[] bounds, ulong[] counts)
    {
        var point = new HistogramDataPoint
        {
            StartTimeUnixNano = Nanos(start),
            TimeUnixNano = Nanos(time),
            Count = counts.Aggregate(0UL, (sum, count) => sum + count),
        };
        point.ExplicitBounds.AddRange(bounds);
        point.BucketCounts.AddRange(counts);
        var histogram = new Histogram { AggregationTemporality = AggregationTemporality.Cumulative };
        histogram.DataPoints.Add(point);
        return new Metric { Name = name, Unit = "s", Histogram = histogram };
    }
}

/// <summary>A clock the tests move by hand.</summary>
internal sealed class ManualTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
