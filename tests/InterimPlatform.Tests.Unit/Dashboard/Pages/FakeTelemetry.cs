using InterimPlatform.Dashboard.Telemetry;

namespace InterimPlatform.Tests.Unit.Dashboard.Pages;

/// <summary>A telemetry store with one trace across three services and a message hop, its logs, and a few instruments.</summary>
internal sealed class FakeTelemetry : ITelemetryQueries
{
    public const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    public static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddMinutes(-2);

    public static readonly IReadOnlyList<SpanDetail> Spans =
    [
        Span("a1", null, "POST /api/candidates", "Server", "gateway", 0, 120),
        Span("b1", "a1", "POST /api/candidates", "Server", "candidates", 5, 100),
        Span("b2", "b1", "CandidateRegistered send", "Producer", "candidates", 90, 8),
        Span("c1", "b2", "matching-candidate-registered process", "Consumer", "matching", 130, 40, status: "Error"),
    ];

    public event Action? Changed { add { } remove { } }

    public IReadOnlyList<TelemetryResource> Resources() =>
        [new("candidates", "candidates", null), new("gateway", "gateway", null), new("matching", "matching", null)];

    public LogPage QueryLogs(LogQuery query)
    {
        var entries = new List<LogEntry>
        {
            new(2, Start.AddMilliseconds(140), "matching", "Error", 17, "Consumer failed: the read model was locked", "MassTransit", TraceId, "c1", [new("messaging.destination", "matching-candidate-registered")]),
            new(1, Start.AddMilliseconds(10), "candidates", "Information", 9, "Candidate registered", "Candidates", TraceId, "b1", [new("candidate.id", "42")]),
        };
        var matching = entries
            .Where(e => query.Resource is null || e.Resource == query.Resource)
            .Where(e => query.MinSeverity is null || e.SeverityNumber >= query.MinSeverity)
            .Where(e => query.AttributeKey is null || e.Attributes.Contains(new(query.AttributeKey, query.AttributeValue ?? "")))
            .ToList();
        return new LogPage(matching.Skip(query.Skip).Take(query.Take).ToList(), matching.Count);
    }

    public TracePage QueryTraces(TraceQuery query) => new([Summary], 1);

    public TraceDetail? GetTrace(string traceId) => traceId == TraceId ? new TraceDetail(Summary, Spans) : null;

    public IReadOnlyList<InstrumentInfo> Instruments(string resource) =>
        [new("InterimPlatform.Messaging", "interimplatform.outbox.pending", "Events written, not yet confirmed", "{event}", "Gauge"),
         new("Microsoft.AspNetCore.Hosting", "http.server.request.duration", "Duration of HTTP requests", "s", "Histogram")];

    public MetricSeries? GetSeries(string resource, string meter, string instrument, DateTimeOffset from, DateTimeOffset to, int buckets, KeyValuePair<string, string>? attributeFilter = null)
    {
        var info = Instruments(resource).FirstOrDefault(i => i.Meter == meter && i.Name == instrument)
            ?? (instrument == "interimplatform.partner_intake.messages" ? new InstrumentInfo(meter, instrument, null, "{message}", "Counter") : null);
        if (info is null)
        {
            return null;
        }

        var step = (to - from) / buckets;
        return new MetricSeries(info, Enumerable.Range(0, buckets).Select(i => new MetricPoint(from + step * i, i % 7 == 0 ? null : i, i, i * 2, i * 3)).ToList());
    }

    private static TraceSummary Summary => new(TraceId, "POST /api/candidates", "gateway", ["gateway", "candidates", "matching"], Spans.Count, Start, TimeSpan.FromMilliseconds(170), true);

    private static SpanDetail Span(string id, string? parent, string name, string kind, string resource, int startMs, int durationMs, string status = "Unset") =>
        new(id, parent, name, kind, resource, "test", Start.AddMilliseconds(startMs), TimeSpan.FromMilliseconds(durationMs), status, status == "Error" ? "locked" : null,
            [new("messaging.system", "rabbitmq")], [new("exception", Start.AddMilliseconds(startMs + 1), [new("exception.type", "Npgsql.NpgsqlException")])], []);
}
