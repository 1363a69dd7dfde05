using InterimPlatform.Dashboard.Otlp.Collector.Logs;
using InterimPlatform.Dashboard.Otlp.Logs;

namespace InterimPlatform.Dashboard.Telemetry;

public sealed partial class TelemetryStore
{
    private long _logSequence;

    private Dictionary<string, int> AddLogs(ExportLogsServiceRequest request, DateTimeOffset receivedAt)
    {
        var batches = new List<((string Service, string Instance) Identity, List<LogRecordEntry> Records)>(request.ResourceLogs.Count);
        foreach (var resourceLogs in request.ResourceLogs)
        {
            var records = new List<LogRecordEntry>();
            foreach (var scopeLogs in resourceLogs.ScopeLogs)
            {
                var category = scopeLogs.Scope?.Name is { Length: > 0 } name ? name : null;
                foreach (var record in scopeLogs.LogRecords)
                {
                    records.Add(new LogRecordEntry(record, category, receivedAt));
                }
            }
            batches.Add((Identity(resourceLogs.Resource), records));
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var (identity, records) in batches)
            {
                var state = Resolve(identity.Service, identity.Instance, receivedAt);
                foreach (var record in records)
                {
                    record.Id = ++_logSequence;
                    record.Resource = state;
                    state.Logs.Add(record);
                }
                Count(counts, state, records.Count);
            }
        }
        return counts;
    }

    /// <inheritdoc />
    public LogPage QueryLogs(LogQuery query)
    {
        var traceId = query.TraceId?.ToLowerInvariant();
        lock (_gate)
        {
            var matches = new List<LogRecordEntry>();
            foreach (var state in Matching(query.Resource))
            {
                foreach (var record in state.Logs.NewestFirst())
                {
                    if ((query.MinSeverity is { } severity && record.SeverityNumber < severity)
                        || (traceId is not null && record.TraceId != traceId)
                        || (!string.IsNullOrEmpty(query.Text) && !record.Message.Contains(query.Text, StringComparison.OrdinalIgnoreCase))
                        || (!string.IsNullOrEmpty(query.AttributeKey) && !record.HasAttribute(query.AttributeKey, query.AttributeValue)))
                    {
                        continue;
                    }
                    matches.Add(record);
                }
            }
            // Newest first across resources; the sequence keeps records of one instant in arrival order.
            matches.Sort(static (a, b) => b.TimeNanos != a.TimeNanos ? b.TimeNanos.CompareTo(a.TimeNanos) : b.Id.CompareTo(a.Id));
            var page = matches.Skip(Math.Max(0, query.Skip)).Take(Math.Max(0, query.Take))
                .Select(record => new LogEntry(record.Id, OtlpValues.Time((ulong)record.TimeNanos), Name(record.Resource!),
                    OtlpValues.SeverityName(record.SeverityNumber), record.SeverityNumber, record.Message, record.Category,
                    record.TraceId, record.SpanId, record.Attributes))
                .ToList();
            return new LogPage(page, matches.Count);
        }
    }

    internal sealed class LogRecordEntry
    {
        public LogRecordEntry(LogRecord record, string? category, DateTimeOffset receivedAt)
        {
            // A record without a time of its own (OTLP allows it) takes the time it was observed, else received.
            TimeNanos = record.TimeUnixNano != 0 ? (long)record.TimeUnixNano
                : record.ObservedTimeUnixNano != 0 ? (long)record.ObservedTimeUnixNano
                : OtlpValues.Nanos(receivedAt);
            SeverityNumber = (int)record.SeverityNumber;
            Message = OtlpValues.Text(record.Body);
            Category = category;
            TraceId = OtlpValues.Id(record.TraceId);
            SpanId = OtlpValues.Id(record.SpanId);
            Attributes = OtlpValues.Attributes(record.Attributes);
        }

        public long Id { get; set; }
        public long TimeNanos { get; }
        public int SeverityNumber { get; }
        public string Message { get; }
        public string? Category { get; }
        public string? TraceId { get; }
        public string? SpanId { get; }
        public KeyValuePair<string, string>[] Attributes { get; }
        public ResourceState? Resource { get; set; }

        public bool HasAttribute(string key, string? value)
        {
            foreach (var attribute in Attributes)
            {
                if (string.Equals(attribute.Key, key, StringComparison.OrdinalIgnoreCase)
                    && (value is null || string.Equals(attribute.Value, value, StringComparison.OrdinalIgnoreCase)))
                {
                    return true;
                }
            }
            return false;
        }
    }
}
