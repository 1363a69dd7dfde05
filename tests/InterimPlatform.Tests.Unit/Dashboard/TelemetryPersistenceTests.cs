using InterimPlatform.Dashboard.Telemetry;
using static InterimPlatform.Tests.Unit.Dashboard.OtlpRequests;

namespace InterimPlatform.Tests.Unit.Dashboard;

public sealed class TelemetryPersistenceTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "telemetry-tests-" + Guid.NewGuid().ToString("N"));
    private readonly ManualTime _time = new(T0);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private async Task<TelemetryStore> OpenAsync(Action<TelemetryOptions>? configure = null)
    {
        var options = new TelemetryOptions { StorageDirectory = _directory };
        configure?.Invoke(options);
        var store = new TelemetryStore(options, _time);
        await store.StartAsync(CancellationToken.None);
        return store;
    }

    [Fact]
    public async Task Telemetry_stored_before_a_restart_is_listed_after_it()
    {
        await using (var before = await OpenAsync())
        {
            await before.IngestAsync(Traces(Resource("gateway", "g1"), Span(1, 1, null, "GET /health", T0, TimeSpan.FromMilliseconds(3))), default);
            await before.IngestAsync(Traces(Resource("candidates", "c1"), Span(1, 2, 1, "SELECT", T0.AddMilliseconds(1), TimeSpan.FromMilliseconds(1))), default);
            await before.IngestAsync(Logs(Resource("candidates", "c1"), Log("started", T0, trace: 1)), default);
            await before.IngestAsync(Metrics(Resource("candidates", "c1"), Gauge("pool", T0, 3)), default);
        }

        _time.Now += TimeSpan.FromMinutes(5);
        await using var after = await OpenAsync();

        var trace = Assert.Single(after.QueryTraces(new TraceQuery()).Traces);
        Assert.Equal((TraceId(1), 2), (trace.TraceId, trace.SpanCount));
        Assert.Equal(["gateway", "candidates"], trace.Resources);
        Assert.Equal("started", Assert.Single(after.QueryLogs(new LogQuery(TraceId: TraceId(1))).Entries).Message);
        Assert.Equal(3, after.GetSeries("candidates", "Tests.Meter", "pool", T0, T0.AddSeconds(1), 1)!.Points.Single().Value);

        // The services come back with new instance ids: they take over their resources rather than appearing as replicas.
        await after.IngestAsync(Traces(Resource("gateway", "g2"), Span(2, 3, null, "GET /health", T0.AddMinutes(5), TimeSpan.FromMilliseconds(3))), default);
        Assert.Equal(["candidates", "gateway"], after.Resources().Select(resource => resource.Name));
        Assert.Equal(2, after.QueryTraces(new TraceQuery(Resource: "gateway")).Total);
    }

    [Fact]
    public async Task A_torn_last_record_is_skipped_and_what_came_before_it_is_kept()
    {
        await using (var before = await OpenAsync())
        {
            await before.IngestAsync(Traces(Resource("gateway"), Span(1, 1, null, "first", T0, TimeSpan.FromMilliseconds(1))), default);
            await before.IngestAsync(Traces(Resource("gateway"), Span(2, 2, null, "second", T0.AddSeconds(1), TimeSpan.FromMilliseconds(1))), default);
        }
        // A crash in the middle of writing the second record.
        var segment = Assert.Single(Directory.GetFiles(_directory, "traces-*.seg"));
        await using (var file = new FileStream(segment, FileMode.Open))
        {
            file.SetLength(file.Length - 5);
        }

        await using var after = await OpenAsync();

        Assert.Equal(["first"], after.QueryTraces(new TraceQuery()).Traces.Select(trace => trace.RootName));
        // And it keeps receiving and persisting.
        await after.IngestAsync(Traces(Resource("gateway"), Span(3, 3, null, "third", T0.AddSeconds(2), TimeSpan.FromMilliseconds(1))), default);
        Assert.Equal(["third", "first"], after.QueryTraces(new TraceQuery()).Traces.Select(trace => trace.RootName));
    }

    [Fact]
    public async Task A_damaged_header_ends_that_segment_only()
    {
        Directory.CreateDirectory(_directory);
        // A header claiming more bytes than any request has, then garbage.
        await File.WriteAllBytesAsync(Path.Combine(_directory, "logs-0000000001.seg"), [0xff, 0xff, 0xff, 0xff, 1, 2, 3]);

        await using var store = await OpenAsync();
        await store.IngestAsync(Logs(Resource("gateway"), Log("after", T0)), default);

        Assert.Equal(["after"], store.QueryLogs(new LogQuery()).Entries.Select(entry => entry.Message));
    }

    [Fact]
    public async Task Segments_no_longer_needed_to_refill_the_store_are_deleted_and_the_newest_data_survives()
    {
        await using (var before = await OpenAsync(options => options.MaxTracesPerResource = 3))
        {
            for (var i = 1; i <= 20; i++)
            {
                await before.IngestAsync(Traces(Resource("gateway"), Span(i, i, null, $"GET /{i}", T0.AddSeconds(i), TimeSpan.FromMilliseconds(1))), default);
            }
        }
        // A segment closes at 3 traces; only the newest ones that still hold one of the 3 newest traces are kept.
        Assert.InRange(Directory.GetFiles(_directory, "traces-*.seg").Length, 1, 2);

        await using var after = await OpenAsync(options => options.MaxTracesPerResource = 3);

        Assert.Equal(["GET /20", "GET /19", "GET /18"], after.QueryTraces(new TraceQuery()).Traces.Select(trace => trace.RootName));
    }
}
