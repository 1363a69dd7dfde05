using InterimPlatform.Dashboard.Otlp.Collector.Trace;
using InterimPlatform.Dashboard.Otlp.Trace;

namespace InterimPlatform.Dashboard.Telemetry;

public sealed partial class TelemetryStore
{
    private readonly Dictionary<string, TraceRecord> _traces = new(StringComparer.Ordinal);
    private long _tracesVersion;
    private long _sortedVersion = -1;
    private TraceRecord[] _sortedTraces = [];

    private Dictionary<string, int> AddTraces(ExportTraceServiceRequest request, DateTimeOffset receivedAt)
    {
        // Convert outside the lock: attribute text is the costly part of ingestion.
        var batches = new List<((string Service, string Instance) Identity, List<SpanRecord> Spans)>(request.ResourceSpans.Count);
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var spans = new List<SpanRecord>();
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                var scope = ScopeName(scopeSpans.Scope);
                foreach (var span in scopeSpans.Spans)
                {
                    if (OtlpValues.Id(span.TraceId) is { } traceId && OtlpValues.Id(span.SpanId) is { } spanId)
                    {
                        spans.Add(new SpanRecord(traceId, spanId, OtlpValues.Id(span.ParentSpanId), span, scope));
                    }
                }
            }
            batches.Add((Identity(resourceSpans.Resource), spans));
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var (identity, spans) in batches)
            {
                var state = Resolve(identity.Service, identity.Instance, receivedAt);
                var newTraces = 0;
                foreach (var span in spans)
                {
                    span.Resource = state;
                    if (!_traces.TryGetValue(span.TraceId, out var trace))
                    {
                        _traces[span.TraceId] = trace = new TraceRecord(span.TraceId);
                    }
                    trace.Add(span);
                    if (!trace.Resources.Contains(state))
                    {
                        trace.Resources.Add(state);
                        state.Traces.Enqueue(trace);
                        newTraces++;
                        while (state.Traces.Count > _options.MaxTracesPerResource)
                        {
                            Drop(state, state.Traces.Dequeue());
                        }
                    }
                }
                Count(counts, state, newTraces);
            }
            _tracesVersion++;
        }
        return counts;
    }

    /// <summary>A resource drops its part of a trace; the trace goes once no resource holds a span of it.</summary>
    private void Drop(ResourceState state, TraceRecord trace)
    {
        trace.Remove(state);
        if (trace.Spans.Count == 0)
        {
            _traces.Remove(trace.TraceId);
        }
    }

    /// <inheritdoc />
    public TracePage QueryTraces(TraceQuery query)
    {
        var minDuration = query.MinDuration is { } duration ? duration.Ticks * 100 : 0;
        lock (_gate)
        {
            var sorted = SortedTraces();
            var page = new List<TraceSummary>(Math.Max(0, Math.Min(query.Take, 200)));
            var total = 0;
            foreach (var trace in sorted)
            {
                if ((query.ErrorsOnly && trace.Errors == 0)
                    || trace.EndNanos - trace.StartNanos < minDuration
                    || (query.Resource is not null && !trace.Resources.Any(state => Matches(state, query.Resource)))
                    || (!string.IsNullOrEmpty(query.Name) && !trace.Spans.Any(span => span.Name.Contains(query.Name, StringComparison.OrdinalIgnoreCase))))
                {
                    continue;
                }
                if (total >= query.Skip && page.Count < query.Take)
                {
                    page.Add(Summary(trace));
                }
                total++;
            }
            return new TracePage(page, total);
        }
    }

    /// <inheritdoc />
    public TraceDetail? GetTrace(string traceId)
    {
        lock (_gate)
        {
            if (!_traces.TryGetValue(traceId.ToLowerInvariant(), out var trace))
            {
                return null;
            }
            var spans = new List<SpanDetail>(trace.Spans.Count);
            foreach (var span in TreeOrder(trace.Spans))
            {
                spans.Add(new SpanDetail(span.SpanId, span.ParentSpanId, span.Name, span.Kind, Name(span.Resource!), span.Scope,
                    OtlpValues.Time((ulong)span.StartNanos), TimeSpan.FromTicks((span.EndNanos - span.StartNanos) / 100),
                    span.Status, span.StatusMessage, span.Attributes, span.Events, span.Links));
            }
            return new TraceDetail(Summary(trace), spans);
        }
    }

    /// <summary>Parents before their children, siblings by start; spans whose parent is missing are roots.</summary>
    internal static List<SpanRecord> TreeOrder(List<SpanRecord> spans)
    {
        var ids = new HashSet<string>(spans.Count, StringComparer.Ordinal);
        foreach (var span in spans)
        {
            ids.Add(span.SpanId);
        }
        var children = new Dictionary<string, List<SpanRecord>>(StringComparer.Ordinal);
        var roots = new List<SpanRecord>();
        foreach (var span in spans)
        {
            if (span.ParentSpanId is { } parent && parent != span.SpanId && ids.Contains(parent))
            {
                if (!children.TryGetValue(parent, out var list))
                {
                    children[parent] = list = [];
                }
                list.Add(span);
            }
            else
            {
                roots.Add(span);
            }
        }
        var ordered = new List<SpanRecord>(spans.Count);
        var pending = new Stack<SpanRecord>();
        foreach (var root in roots.OrderByDescending(span => span.StartNanos))
        {
            pending.Push(root);
        }
        var visited = new HashSet<string>(StringComparer.Ordinal);
        while (pending.TryPop(out var span))
        {
            // Duplicate span ids (an exporter's retry) are shown once; a cycle cannot loop forever.
            if (!visited.Add(span.SpanId))
            {
                continue;
            }
            ordered.Add(span);
            if (children.TryGetValue(span.SpanId, out var list))
            {
                foreach (var child in list.OrderByDescending(child => child.StartNanos))
                {
                    pending.Push(child);
                }
            }
        }
        return ordered;
    }

    private TraceSummary Summary(TraceRecord trace)
    {
        SpanRecord? root = null;
        foreach (var span in trace.Spans)
        {
            var isRoot = span.ParentSpanId is null;
            var rootIsRoot = root?.ParentSpanId is null && root is not null;
            if (root is null || (isRoot && !rootIsRoot) || (isRoot == rootIsRoot && span.StartNanos < root.StartNanos))
            {
                root = span;
            }
        }
        var resources = trace.Resources
            .Select(state => (Name: Name(state), Start: trace.Spans.Where(span => span.Resource == state).Min(span => span.StartNanos)))
            .OrderBy(resource => resource.Start)
            .Select(resource => resource.Name)
            .Distinct()
            .ToList();
        return new TraceSummary(trace.TraceId, root!.Name, Name(root.Resource!), resources, trace.Spans.Count,
            OtlpValues.Time((ulong)trace.StartNanos), TimeSpan.FromTicks((trace.EndNanos - trace.StartNanos) / 100), trace.Errors > 0);
    }

    /// <summary>Traces newest first by start, re-sorted only after telemetry arrived.</summary>
    private TraceRecord[] SortedTraces()
    {
        if (_sortedVersion != _tracesVersion)
        {
            var traces = new TraceRecord[_traces.Count];
            var keys = new long[traces.Length];
            var i = 0;
            foreach (var trace in _traces.Values)
            {
                traces[i] = trace;
                keys[i] = -trace.StartNanos;
                i++;
            }
            Array.Sort(keys, traces);
            _sortedTraces = traces;
            _sortedVersion = _tracesVersion;
        }
        return _sortedTraces;
    }

    internal sealed class TraceRecord(string traceId)
    {
        public string TraceId { get; } = traceId;

        public List<SpanRecord> Spans { get; } = [];

        /// <summary>Resources holding a span of this trace (usually one to four).</summary>
        public List<ResourceState> Resources { get; } = new(2);

        public long StartNanos { get; private set; } = long.MaxValue;

        public long EndNanos { get; private set; }

        public int Errors { get; private set; }

        public void Add(SpanRecord span)
        {
            Spans.Add(span);
            StartNanos = Math.Min(StartNanos, span.StartNanos);
            EndNanos = Math.Max(EndNanos, span.EndNanos);
            Errors += span.IsError ? 1 : 0;
        }

        public void Remove(ResourceState state)
        {
            Spans.RemoveAll(span => span.Resource == state);
            Resources.Remove(state);
            StartNanos = Spans.Count == 0 ? long.MaxValue : Spans.Min(span => span.StartNanos);
            EndNanos = Spans.Count == 0 ? 0 : Spans.Max(span => span.EndNanos);
            Errors = Spans.Count(span => span.IsError);
        }
    }

    internal sealed class SpanRecord
    {
        private static readonly string[] Kinds = ["Internal", "Internal", "Server", "Client", "Producer", "Consumer"];

        public SpanRecord(string traceId, string spanId, string? parentSpanId, Span span, string scope)
        {
            TraceId = traceId;
            SpanId = spanId;
            ParentSpanId = parentSpanId;
            Name = span.Name;
            Kind = (int)span.Kind is >= 0 and < 6 ? Kinds[(int)span.Kind] : "Internal";
            Scope = scope;
            StartNanos = (long)span.StartTimeUnixNano;
            EndNanos = Math.Max(StartNanos, (long)span.EndTimeUnixNano);
            Status = span.Status?.Code switch
            {
                Otlp.Trace.Status.Types.StatusCode.Ok => "Ok",
                Otlp.Trace.Status.Types.StatusCode.Error => "Error",
                _ => "Unset",
            };
            StatusMessage = string.IsNullOrEmpty(span.Status?.Message) ? null : span.Status.Message;
            Attributes = OtlpValues.Attributes(span.Attributes);
            Events = span.Events.Count == 0 ? [] : span.Events
                .Select(e => new SpanEventDetail(e.Name, OtlpValues.Time(e.TimeUnixNano), OtlpValues.Attributes(e.Attributes)))
                .ToArray();
            Links = span.Links.Count == 0 ? [] : span.Links
                .Select(link => new SpanLinkDetail(OtlpValues.Id(link.TraceId) ?? "", OtlpValues.Id(link.SpanId) ?? ""))
                .ToArray();
        }

        public string TraceId { get; }
        public string SpanId { get; }
        public string? ParentSpanId { get; }
        public string Name { get; }
        public string Kind { get; }
        public string Scope { get; }
        public long StartNanos { get; }
        public long EndNanos { get; }
        public string Status { get; }
        public string? StatusMessage { get; }
        public bool IsError => Status == "Error";
        public KeyValuePair<string, string>[] Attributes { get; }
        public SpanEventDetail[] Events { get; }
        public SpanLinkDetail[] Links { get; }
        public ResourceState? Resource { get; set; }
    }
}
