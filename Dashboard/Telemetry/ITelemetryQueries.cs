namespace InterimPlatform.Dashboard.Telemetry;

/// <summary>
/// What the dashboard's pages ask of the stored telemetry. Every method answers from memory (the store is
/// bounded per resource) and is safe to call while telemetry arrives.
/// </summary>
public interface ITelemetryQueries
{
    /// <summary>Resources that sent telemetry (service.name, with service.instance.id where there are replicas).</summary>
    IReadOnlyList<TelemetryResource> Resources();

    /// <summary>Newest first.</summary>
    LogPage QueryLogs(LogQuery query);

    /// <summary>Newest first (by the trace's start).</summary>
    TracePage QueryTraces(TraceQuery query);

    TraceDetail? GetTrace(string traceId);

    IReadOnlyList<InstrumentInfo> Instruments(string resource);

    /// <summary>
    /// The instrument's values over [from, to) in <paramref name="buckets"/> equal steps, summed over all
    /// attribute sets (or only those matching <paramref name="attributeFilter"/>): a counter's rate per second,
    /// a gauge's or up-down counter's last value, a histogram's p50/p90/p99 from its bucket counts.
    /// </summary>
    MetricSeries? GetSeries(string resource, string meter, string instrument, DateTimeOffset from, DateTimeOffset to, int buckets,
        KeyValuePair<string, string>? attributeFilter = null);

    /// <summary>Raised (at most every 500 ms) after new telemetry was stored, so live pages can refresh.</summary>
    event Action? Changed;
}

/// <param name="Name">The name pages show: service.name, or service.name-instance where a service has replicas.</param>
public sealed record TelemetryResource(string Name, string ServiceName, string? InstanceId);

/// <param name="MinSeverity">OTLP severity number (Trace 1, Debug 5, Information 9, Warning 13, Error 17, Critical 21).</param>
/// <param name="Text">Case-insensitive substring of the message.</param>
public sealed record LogQuery(
    string? Resource = null,
    int? MinSeverity = null,
    string? Text = null,
    string? AttributeKey = null,
    string? AttributeValue = null,
    string? TraceId = null,
    int Skip = 0,
    int Take = 100);

public sealed record LogEntry(
    long Id,
    DateTimeOffset Timestamp,
    string Resource,
    string Severity,
    int SeverityNumber,
    string Message,
    string? Category,
    string? TraceId,
    string? SpanId,
    IReadOnlyList<KeyValuePair<string, string>> Attributes);

public sealed record LogPage(IReadOnlyList<LogEntry> Entries, int Total);

/// <param name="Name">Case-insensitive substring of any span's name.</param>
public sealed record TraceQuery(
    string? Resource = null,
    string? Name = null,
    TimeSpan? MinDuration = null,
    bool ErrorsOnly = false,
    int Skip = 0,
    int Take = 100);

public sealed record TraceSummary(
    string TraceId,
    string RootName,
    string RootResource,
    IReadOnlyList<string> Resources,
    int SpanCount,
    DateTimeOffset Start,
    TimeSpan Duration,
    bool HasError);

public sealed record TracePage(IReadOnlyList<TraceSummary> Traces, int Total);

/// <param name="Kind">Internal, Server, Client, Producer, Consumer.</param>
/// <param name="Status">Unset, Ok, Error.</param>
public sealed record SpanDetail(
    string SpanId,
    string? ParentSpanId,
    string Name,
    string Kind,
    string Resource,
    string Scope,
    DateTimeOffset Start,
    TimeSpan Duration,
    string Status,
    string? StatusMessage,
    IReadOnlyList<KeyValuePair<string, string>> Attributes,
    IReadOnlyList<SpanEventDetail> Events,
    IReadOnlyList<SpanLinkDetail> Links);

public sealed record SpanEventDetail(string Name, DateTimeOffset Timestamp, IReadOnlyList<KeyValuePair<string, string>> Attributes);

public sealed record SpanLinkDetail(string TraceId, string SpanId);

/// <summary>A trace's spans ordered by start, parents before their children.</summary>
public sealed record TraceDetail(TraceSummary Summary, IReadOnlyList<SpanDetail> Spans);

/// <param name="Kind">Counter, UpDownCounter, Gauge, Histogram.</param>
public sealed record InstrumentInfo(string Meter, string Name, string? Description, string? Unit, string Kind);

public sealed record MetricSeries(InstrumentInfo Instrument, IReadOnlyList<MetricPoint> Points);

/// <summary>One step: <see cref="Value"/> for counters (rate per second), gauges and up-down counters; the percentiles for histograms. Null where nothing was recorded.</summary>
public sealed record MetricPoint(DateTimeOffset Time, double? Value, double? P50 = null, double? P90 = null, double? P99 = null);
