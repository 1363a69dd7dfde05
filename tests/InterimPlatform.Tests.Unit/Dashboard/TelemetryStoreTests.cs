using InterimPlatform.Dashboard.Telemetry;
using static InterimPlatform.Tests.Unit.Dashboard.OtlpRequests;

namespace InterimPlatform.Tests.Unit.Dashboard;

public sealed class TelemetryStoreTests : IAsyncLifetime
{
    private readonly ManualTime _time = new(T0);
    private TelemetryStore? _store;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    private async Task<TelemetryStore> StartAsync(Action<TelemetryOptions>? configure = null)
    {
        var options = new TelemetryOptions();
        configure?.Invoke(options);
        _store = new TelemetryStore(options, _time);
        await _store.StartAsync(CancellationToken.None);
        return _store;
    }

    [Fact]
    public async Task Logs_are_bounded_per_resource_dropping_the_oldest_first()
    {
        var store = await StartAsync(options => options.MaxLogsPerResource = 3);

        await store.IngestAsync(Logs(Resource("candidates"), Enumerable.Range(1, 5).Select(i => Log($"c{i}", T0.AddSeconds(i))).ToArray()), default);
        await store.IngestAsync(Logs(Resource("matching"), Log("m1", T0.AddSeconds(10)), Log("m2", T0.AddSeconds(11))), default);

        Assert.Equal(["c5", "c4", "c3"], store.QueryLogs(new LogQuery(Resource: "candidates")).Entries.Select(entry => entry.Message));
        Assert.Equal(["m2", "m1"], store.QueryLogs(new LogQuery(Resource: "matching")).Entries.Select(entry => entry.Message));
        var all = store.QueryLogs(new LogQuery());
        Assert.Equal(5, all.Total);
        Assert.Equal(["m2", "m1", "c5", "c4", "c3"], all.Entries.Select(entry => entry.Message));
    }

    [Fact]
    public async Task Log_filters_by_severity_text_attribute_trace_and_page()
    {
        var store = await StartAsync();
        await store.IngestAsync(Logs(Resource("candidates"),
            Log("Candidate registered", T0.AddSeconds(1), 9, trace: 7, ("candidate.id", "42")),
            Log("Partner message rejected", T0.AddSeconds(2), 13, null, ("partner", "nordic")),
            Log("Database unreachable", T0.AddSeconds(3), 17),
            Log("Candidate updated", T0.AddSeconds(4), 9, null, ("candidate.id", "43"))), default);

        Assert.Equal(["Database unreachable", "Partner message rejected"],
            store.QueryLogs(new LogQuery(MinSeverity: 13)).Entries.Select(entry => entry.Message));
        Assert.Equal(["Candidate updated", "Candidate registered"],
            store.QueryLogs(new LogQuery(Text: "candidate")).Entries.Select(entry => entry.Message));
        Assert.Equal(["Candidate registered"],
            store.QueryLogs(new LogQuery(AttributeKey: "candidate.id", AttributeValue: "42")).Entries.Select(entry => entry.Message));
        Assert.Equal(2, store.QueryLogs(new LogQuery(AttributeKey: "candidate.id")).Total);
        var traced = Assert.Single(store.QueryLogs(new LogQuery(TraceId: TraceId(7).ToUpperInvariant())).Entries);
        Assert.Equal((TraceId(7), SpanId(1)), (traced.TraceId, traced.SpanId));
        Assert.Equal("Information", traced.Severity);
        Assert.Equal("Tests.Category", traced.Category);
        Assert.Contains(new KeyValuePair<string, string>("candidate.id", "42"), traced.Attributes);

        var page = store.QueryLogs(new LogQuery(Skip: 1, Take: 2));
        Assert.Equal(4, page.Total);
        Assert.Equal(["Database unreachable", "Partner message rejected"], page.Entries.Select(entry => entry.Message));
    }

    [Fact]
    public async Task A_trace_across_resources_counts_for_each_and_goes_once_no_resource_keeps_it()
    {
        var store = await StartAsync(options => options.MaxTracesPerResource = 2);
        // Trace 1: gateway → candidates.
        await store.IngestAsync(Traces(Resource("gateway"), Span(1, 1, null, "POST /candidates", T0, TimeSpan.FromMilliseconds(50))), default);
        await store.IngestAsync(Traces(Resource("candidates"), Span(1, 2, 1, "POST /candidates", T0.AddMilliseconds(5), TimeSpan.FromMilliseconds(40))), default);

        var trace = Assert.Single(store.QueryTraces(new TraceQuery()).Traces);
        Assert.Equal(["gateway", "candidates"], trace.Resources);
        Assert.Equal((2, "gateway"), (trace.SpanCount, trace.RootResource));

        // Two newer traces on the gateway push its part of trace 1 out; candidates still holds its own part.
        await store.IngestAsync(Traces(Resource("gateway"),
            Span(2, 3, null, "GET /a", T0.AddSeconds(1), TimeSpan.FromMilliseconds(1)),
            Span(3, 4, null, "GET /b", T0.AddSeconds(2), TimeSpan.FromMilliseconds(1))), default);
        Assert.Equal([TraceId(3), TraceId(2), TraceId(1)], store.QueryTraces(new TraceQuery()).Traces.Select(t => t.TraceId));
        var remaining = store.GetTrace(TraceId(1))!;
        Assert.Equal(["candidates"], remaining.Summary.Resources);
        Assert.Equal([SpanId(2)], remaining.Spans.Select(span => span.SpanId));

        // Two newer traces on candidates drop the rest of trace 1.
        await store.IngestAsync(Traces(Resource("candidates"),
            Span(4, 5, null, "consume", T0.AddSeconds(3), TimeSpan.FromMilliseconds(1)),
            Span(5, 6, null, "consume", T0.AddSeconds(4), TimeSpan.FromMilliseconds(1))), default);
        Assert.Null(store.GetTrace(TraceId(1)));
        Assert.Equal([TraceId(5), TraceId(4), TraceId(3), TraceId(2)], store.QueryTraces(new TraceQuery()).Traces.Select(t => t.TraceId));
    }

    [Fact]
    public async Task A_trace_lists_parents_before_children_and_siblings_by_start()
    {
        var store = await StartAsync();
        // Sent out of order, across two resources, as exporters do.
        await store.IngestAsync(Traces(Resource("matching"),
            Span(1, 5, 3, "rank", T0.AddMilliseconds(30), TimeSpan.FromMilliseconds(5)),
            Span(1, 4, 2, "SELECT", T0.AddMilliseconds(12), TimeSpan.FromMilliseconds(2))), default);
        await store.IngestAsync(Traces(Resource("gateway"),
            Span(1, 3, 1, "consume", T0.AddMilliseconds(25), TimeSpan.FromMilliseconds(20)),
            Span(1, 2, 1, "POST /match", T0.AddMilliseconds(10), TimeSpan.FromMilliseconds(10)),
            Span(1, 1, null, "POST /briefs", T0, TimeSpan.FromMilliseconds(50), error: true)), default);

        var trace = store.GetTrace(TraceId(1))!;
        Assert.Equal([SpanId(1), SpanId(2), SpanId(4), SpanId(3), SpanId(5)], trace.Spans.Select(span => span.SpanId));
        Assert.Equal("POST /briefs", trace.Summary.RootName);
        Assert.Equal(TimeSpan.FromMilliseconds(50), trace.Summary.Duration);
        Assert.Equal(T0, trace.Summary.Start);
        Assert.True(trace.Summary.HasError);
        Assert.Equal(("Error", "failed", "Server"), (trace.Spans[0].Status, trace.Spans[0].StatusMessage, trace.Spans[0].Kind));
        Assert.Equal("matching", trace.Spans[2].Resource);
    }

    [Fact]
    public async Task Traces_filter_by_resource_name_duration_and_errors()
    {
        var store = await StartAsync();
        await store.IngestAsync(Traces(Resource("gateway"),
            Span(1, 1, null, "GET /candidates", T0, TimeSpan.FromMilliseconds(10)),
            Span(2, 2, null, "POST /briefs", T0.AddSeconds(1), TimeSpan.FromMilliseconds(500), error: true)), default);
        await store.IngestAsync(Traces(Resource("matching"), Span(3, 3, null, "rank", T0.AddSeconds(2), TimeSpan.FromMilliseconds(100))), default);

        Assert.Equal([TraceId(3)], store.QueryTraces(new TraceQuery(Resource: "matching")).Traces.Select(t => t.TraceId));
        Assert.Equal([TraceId(1)], store.QueryTraces(new TraceQuery(Name: "candidates")).Traces.Select(t => t.TraceId));
        Assert.Equal([TraceId(3), TraceId(2)], store.QueryTraces(new TraceQuery(MinDuration: TimeSpan.FromMilliseconds(100))).Traces.Select(t => t.TraceId));
        Assert.Equal([TraceId(2)], store.QueryTraces(new TraceQuery(ErrorsOnly: true)).Traces.Select(t => t.TraceId));
        var page = store.QueryTraces(new TraceQuery(Skip: 1, Take: 1));
        Assert.Equal((3, TraceId(2)), (page.Total, page.Traces.Single().TraceId));
    }

    [Fact]
    public async Task Replicas_are_named_with_a_short_instance_id_and_a_restart_keeps_the_name()
    {
        var store = await StartAsync();
        await store.IngestAsync(Logs(Resource("matching", "a1b2c3d4e5"), Log("one", T0)), default);
        Assert.Equal([new TelemetryResource("matching", "matching", "a1b2c3d4e5")], store.Resources());

        // A second instance while the first is live: a replica.
        _time.Now += TimeSpan.FromSeconds(1);
        await store.IngestAsync(Logs(Resource("matching", "ffff0000"), Log("two", T0)), default);
        Assert.Equal(["matching-a1b2c3d4", "matching-ffff0000"], store.Resources().Select(resource => resource.Name));
        Assert.Equal(["one"], store.QueryLogs(new LogQuery(Resource: "matching-a1b2c3d4")).Entries.Select(entry => entry.Message));
        Assert.Equal(2, store.QueryLogs(new LogQuery(Resource: "matching")).Total);

        // Candidates restarts: its new instance takes over once the old one has been quiet.
        await store.IngestAsync(Logs(Resource("candidates", "old"), Log("before", T0)), default);
        _time.Now += TimeSpan.FromMinutes(1);
        await store.IngestAsync(Logs(Resource("candidates", "new"), Log("after", T0.AddMinutes(1))), default);
        var candidates = Assert.Single(store.Resources(), resource => resource.ServiceName == "candidates");
        Assert.Equal(("candidates", "new"), (candidates.Name, candidates.InstanceId));
        Assert.Equal(["after", "before"], store.QueryLogs(new LogQuery(Resource: "candidates")).Entries.Select(entry => entry.Message));
    }

    [Fact]
    public async Task A_counter_is_charted_as_its_rate_per_second()
    {
        var store = await StartAsync();
        var start = T0.AddMinutes(-10);
        // Cumulative, as .NET exports: 100 at 0 s, 110 at 1 s, 130 at 2 s, 130 at 3 s; another attribute set adds 5 at 2 s.
        foreach (var (second, value) in new[] { (0, 100.0), (1, 110), (2, 130), (3, 130) })
        {
            await store.IngestAsync(Metrics(Resource("gateway"), Counter("requests", start, T0.AddSeconds(second), value, ("route", "a"))), default);
        }
        await store.IngestAsync(Metrics(Resource("gateway"), Counter("requests", start, T0.AddSeconds(1), 1, ("route", "b"))), default);
        await store.IngestAsync(Metrics(Resource("gateway"), Counter("requests", start, T0.AddSeconds(2), 6, ("route", "b"))), default);

        var series = store.GetSeries("gateway", "Tests.Meter", "requests", T0, T0.AddSeconds(4), 4)!;
        Assert.Equal("Counter", series.Instrument.Kind);
        // The first point of a series that began before the window has no increase to show.
        Assert.Equal(new double?[] { null, 10, 25, 0 }, series.Points.Select(point => point.Value));
        Assert.Equal(new double?[] { null, 10, 20, 0 }, store.GetSeries("gateway", "Tests.Meter", "requests", T0, T0.AddSeconds(4), 4,
            new KeyValuePair<string, string>("route", "a"))!.Points.Select(point => point.Value));
        Assert.Equal([new InstrumentInfo("Tests.Meter", "requests", null, "{request}", "Counter")], store.Instruments("gateway"));
    }

    [Fact]
    public async Task A_gauge_is_charted_as_its_last_value_per_step_summed_over_attribute_sets()
    {
        var store = await StartAsync();
        await store.IngestAsync(Metrics(Resource("matching"),
            Gauge("pool", T0, 10, ("shard", "1")), Gauge("pool", T0.AddMilliseconds(500), 12, ("shard", "1"))), default);
        await store.IngestAsync(Metrics(Resource("matching"), Gauge("pool", T0.AddMilliseconds(200), 5, ("shard", "2"))), default);

        var series = store.GetSeries("matching", "Tests.Meter", "pool", T0, T0.AddSeconds(2), 2)!;
        Assert.Equal(new double?[] { 17, null }, series.Points.Select(point => point.Value));
    }

    [Fact]
    public async Task A_histogram_is_charted_as_percentiles_of_the_counts_recorded_in_each_step()
    {
        var store = await StartAsync();
        double[] bounds = [10, 20, 40];
        var start = T0.AddSeconds(-30);
        // Cumulative: nothing until 0 s, then 10 values in (10, 20] during the first second, 100 in (20, 40] during the second.
        await store.IngestAsync(Metrics(Resource("gateway"), Histogram("duration", start, T0, bounds, [0, 0, 0, 0])), default);
        await store.IngestAsync(Metrics(Resource("gateway"), Histogram("duration", start, T0.AddSeconds(1), bounds, [0, 10, 0, 0])), default);
        await store.IngestAsync(Metrics(Resource("gateway"), Histogram("duration", start, T0.AddSeconds(2), bounds, [0, 10, 100, 0])), default);

        var points = store.GetSeries("gateway", "Tests.Meter", "duration", T0.AddMilliseconds(500), T0.AddMilliseconds(2500), 2)!.Points;
        Assert.Equal((15, 19, 19.9), (points[0].P50!.Value, points[0].P90!.Value, Math.Round(points[0].P99!.Value, 6)));
        Assert.Equal((30, 38, 39.8), (points[1].P50!.Value, points[1].P90!.Value, Math.Round(points[1].P99!.Value, 6)));
    }

    [Fact]
    public void Percentiles_interpolate_within_a_bucket_and_stop_at_the_overflow_bucket()
    {
        Assert.Equal(5, TelemetryStore.Percentile([10, 0, 0], [10, 20], 0.5));
        Assert.Equal(15, TelemetryStore.Percentile([0, 10, 0], [10, 20], 0.5));
        Assert.Equal(20, TelemetryStore.Percentile([0, 0, 10], [10, 20], 0.99));
        Assert.Equal(10, TelemetryStore.Percentile([50, 50, 0], [10, 20], 0.5));
        Assert.True(double.IsNaN(TelemetryStore.Percentile([0, 0, 0], [10, 20], 0.5)));
    }

    [Fact]
    public async Task Changed_is_raised_after_telemetry_arrives()
    {
        var store = await StartAsync();
        var changed = new TaskCompletionSource();
        store.Changed += () => changed.TrySetResult();

        await store.IngestAsync(Logs(Resource("gateway"), Log("hello", T0)), default);

        await changed.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
