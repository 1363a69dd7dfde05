using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using Grpc.Net.Client;
using InterimPlatform.Dashboard.Telemetry;
using InterimPlatform.Dashboard.Telemetry.Receivers;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace InterimPlatform.Tests.Integration.Dashboard;

/// <summary>The OTLP receivers with the real .NET OTLP exporter sending to them, over gRPC and HTTP/protobuf.</summary>
public sealed class OtlpReceiverTests : IAsyncLifetime
{
    private const string Key = "otlp-key-for-tests-5f1c";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "otlp-receiver-tests-" + Guid.NewGuid().ToString("N"));
    private OtlpReceiverHost _host = null!;

    public async Task InitializeAsync() => _host = await StartHostAsync();

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private Task<OtlpReceiverHost> StartHostAsync() => OtlpReceiverHost.StartAsync(options =>
    {
        options.ApiKey = Key;
        options.StorageDirectory = _directory;
    }, CancellationToken.None);

    private void Exporter(OtlpExporterOptions options, OtlpExportProtocol protocol, string signal, string? key = Key)
    {
        options.Protocol = protocol;
        // Set in code, the HTTP endpoint is the signal's full URL; the gRPC one is the server's address.
        options.Endpoint = protocol == OtlpExportProtocol.Grpc ? _host.GrpcEndpoint : new Uri(_host.HttpEndpoint, $"/v1/{signal}");
        if (key is not null)
        {
            options.Headers = $"{OtlpApiKey.HeaderName}={key}";
        }
    }

    /// <summary>A gateway request into Candidates, whose database call fails; returns the trace id.</summary>
    private string SendTrace(OtlpExportProtocol protocol, string service, string? key = Key)
    {
        using var source = new ActivitySource($"Tests.Otlp.{Guid.NewGuid():N}");
        using var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(source.Name)
            .ConfigureResource(resource => resource.AddService(service, serviceInstanceId: "i-" + protocol))
            .AddOtlpExporter(options => Exporter(options, protocol, "traces", key))
            .Build();
        Activity.Current = null;
        string traceId;
        using (var request = source.StartActivity("POST /candidates", ActivityKind.Server)!)
        {
            traceId = request.TraceId.ToHexString();
            request.SetTag("http.request.method", "POST");
            using var insert = source.StartActivity("INSERT candidates", ActivityKind.Client)!;
            insert.SetTag("db.system", "postgresql");
            insert.AddEvent(new ActivityEvent("retry"));
            insert.SetStatus(ActivityStatusCode.Error, "duplicate key");
        }
        provider.ForceFlush();
        return traceId;
    }

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public void Traces_from_the_dotnet_exporter_are_stored(OtlpExportProtocol protocol)
    {
        var traceId = SendTrace(protocol, "candidates");

        var trace = _host.Store.GetTrace(traceId);
        Assert.NotNull(trace);
        Assert.Equal(["POST /candidates", "INSERT candidates"], trace.Spans.Select(span => span.Name));
        Assert.Equal(("Server", "Client"), (trace.Spans[0].Kind, trace.Spans[1].Kind));
        Assert.Equal(trace.Spans[0].SpanId, trace.Spans[1].ParentSpanId);
        Assert.Equal(("Error", "duplicate key"), (trace.Spans[1].Status, trace.Spans[1].StatusMessage));
        Assert.Contains(new KeyValuePair<string, string>("db.system", "postgresql"), trace.Spans[1].Attributes);
        Assert.Equal("retry", Assert.Single(trace.Spans[1].Events).Name);
        Assert.Equal(("POST /candidates", "candidates", true), (trace.Summary.RootName, trace.Summary.RootResource, trace.Summary.HasError));
        Assert.Equal(traceId, Assert.Single(_host.Store.QueryTraces(new TraceQuery(ErrorsOnly: true)).Traces).TraceId);
    }

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public void Logs_from_the_dotnet_exporter_are_stored_with_their_trace(OtlpExportProtocol protocol)
    {
        string traceId;
        using (var factory = LoggerFactory.Create(logging => logging.AddOpenTelemetry(otel =>
               {
                   otel.SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("matching", serviceInstanceId: "m1"));
                   otel.IncludeFormattedMessage = true;
                   otel.AddOtlpExporter(options => Exporter(options, protocol, "logs"));
               })))
        {
            using var activity = new Activity("rank").Start();
            traceId = activity.TraceId.ToHexString();
            factory.CreateLogger("Matching.Ranking").LogWarning("Ranked {Count} candidates for {Brief}", 12, "brief-7");
        }

        var entry = Assert.Single(_host.Store.QueryLogs(new LogQuery(Resource: "matching")).Entries);
        Assert.Equal(("Ranked 12 candidates for brief-7", "Warning", "Matching.Ranking"), (entry.Message, entry.Severity, entry.Category));
        Assert.Equal(traceId, entry.TraceId);
        Assert.Contains(new KeyValuePair<string, string>("Count", "12"), entry.Attributes);
        Assert.Single(_host.Store.QueryLogs(new LogQuery(AttributeKey: "Brief", AttributeValue: "brief-7", MinSeverity: 13)).Entries);
    }

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public void Metrics_from_the_dotnet_exporter_are_stored_and_charted(OtlpExportProtocol protocol)
    {
        var from = DateTimeOffset.UtcNow.AddMinutes(-1);
        using var meter = new Meter($"Tests.Otlp.{Guid.NewGuid():N}");
        using (var provider = Sdk.CreateMeterProviderBuilder()
                   .AddMeter(meter.Name)
                   .ConfigureResource(resource => resource.AddService("engagements", serviceInstanceId: "e1"))
                   .AddOtlpExporter(options => Exporter(options, protocol, "metrics"))
                   .Build())
        {
            var placements = meter.CreateCounter<long>("placements");
            placements.Add(3, new KeyValuePair<string, object?>("type", "crisis"));
            placements.Add(2, new KeyValuePair<string, object?>("type", "bridging"));
            var duration = meter.CreateHistogram<double>("shortlist.duration", unit: "ms");
            duration.Record(12);
            duration.Record(20);
            duration.Record(30);
            provider.ForceFlush();
        }
        var to = DateTimeOffset.UtcNow.AddMinutes(1);

        var instruments = _host.Store.Instruments("engagements");
        Assert.Contains(instruments, instrument => instrument is { Name: "placements", Kind: "Counter" });
        Assert.Contains(instruments, instrument => instrument is { Name: "shortlist.duration", Kind: "Histogram", Unit: "ms" });
        // The series began inside the window, so its whole count is the increase: 5 over 120 s.
        var rate = _host.Store.GetSeries("engagements", meter.Name, "placements", from, to, 1)!.Points.Single().Value;
        Assert.Equal(5 / (to - from).TotalSeconds, rate!.Value, 6);
        var crisis = _host.Store.GetSeries("engagements", meter.Name, "placements", from, to, 1, new("type", "crisis"))!.Points.Single().Value;
        Assert.Equal(3 / (to - from).TotalSeconds, crisis!.Value, 6);
        // .NET's default boundaries put 12 and 20 in (10, 25] and 30 in (25, 50]: the median is inside (10, 25].
        var percentiles = _host.Store.GetSeries("engagements", meter.Name, "shortlist.duration", from, to, 1)!.Points.Single();
        Assert.InRange(percentiles.P50!.Value, 10, 25);
        Assert.InRange(percentiles.P99!.Value, 25, 50);
    }

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc, null)]
    [InlineData(OtlpExportProtocol.Grpc, "wrong-key")]
    [InlineData(OtlpExportProtocol.HttpProtobuf, null)]
    [InlineData(OtlpExportProtocol.HttpProtobuf, "wrong-key")]
    public void An_exporter_without_the_right_key_stores_nothing(OtlpExportProtocol protocol, string? key)
    {
        var traceId = SendTrace(protocol, "intruder", key);

        Assert.Null(_host.Store.GetTrace(traceId));
        Assert.Empty(_host.Store.Resources());
    }

    [Fact]
    public async Task Http_refuses_a_missing_key_with_401_and_other_media_types_with_415_as_problem_details()
    {
        using var client = new HttpClient { BaseAddress = _host.HttpEndpoint };
        using var protobuf = new ByteArrayContent([]);
        protobuf.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");

        using var unauthorized = await client.PostAsync("/v1/traces", protobuf);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal("application/problem+json", unauthorized.Content.Headers.ContentType?.MediaType);

        using var json = new HttpRequestMessage(HttpMethod.Post, "/v1/logs") { Content = new StringContent("{}", null, "application/json") };
        json.Headers.Add(OtlpApiKey.HeaderName, Key);
        using var unsupported = await client.SendAsync(json);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported.StatusCode);
        Assert.Equal("application/problem+json", unsupported.Content.Headers.ContentType?.MediaType);

        using var garbage = new HttpRequestMessage(HttpMethod.Post, "/v1/metrics") { Content = new ByteArrayContent([0xff, 0xff, 0xff]) };
        garbage.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        garbage.Headers.Add(OtlpApiKey.HeaderName, Key);
        using var invalid = await client.SendAsync(garbage);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }

    [Fact]
    public async Task Grpc_refuses_a_missing_or_wrong_key_as_unauthenticated()
    {
        using var channel = GrpcChannel.ForAddress(_host.GrpcEndpoint);
        var export = new Method<byte[], byte[]>(MethodType.Unary, "opentelemetry.proto.collector.trace.v1.TraceService", "Export",
            Marshallers.Create(static bytes => bytes, static bytes => bytes), Marshallers.Create(static bytes => bytes, static bytes => bytes));

        var missing = await Assert.ThrowsAsync<RpcException>(async () => await channel.CreateCallInvoker().AsyncUnaryCall(export, null, new CallOptions(), []));
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, missing.StatusCode);
        var wrong = await Assert.ThrowsAsync<RpcException>(async () => await channel.CreateCallInvoker().AsyncUnaryCall(export, null,
            new CallOptions(new Metadata { { OtlpApiKey.HeaderName, Key + "x" } }), []));
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, wrong.StatusCode);

        var accepted = await channel.CreateCallInvoker().AsyncUnaryCall(export, null, new CallOptions(new Metadata { { OtlpApiKey.HeaderName, Key } }), []);
        Assert.Empty(accepted);
    }

    [Fact]
    public async Task Traces_received_before_a_restart_are_listed_after_it()
    {
        var grpc = SendTrace(OtlpExportProtocol.Grpc, "gateway");
        var http = SendTrace(OtlpExportProtocol.HttpProtobuf, "gateway");

        await _host.DisposeAsync();
        _host = await StartHostAsync();

        var listed = _host.Store.QueryTraces(new TraceQuery(Resource: "gateway")).Traces.Select(trace => trace.TraceId).ToList();
        Assert.Equal([http, grpc], listed);
        Assert.Equal(2, _host.Store.GetTrace(grpc)!.Spans.Count);
    }

    [Fact]
    public async Task A_torn_segment_tail_is_tolerated_at_start()
    {
        var kept = SendTrace(OtlpExportProtocol.Grpc, "gateway");
        var torn = SendTrace(OtlpExportProtocol.Grpc, "gateway");
        await _host.DisposeAsync();
        var segment = Assert.Single(Directory.GetFiles(_directory, "traces-*.seg"));
        await using (var file = new FileStream(segment, FileMode.Open))
        {
            file.SetLength(file.Length - 7);
        }

        _host = await StartHostAsync();

        Assert.NotNull(_host.Store.GetTrace(kept));
        Assert.Null(_host.Store.GetTrace(torn));
        var next = SendTrace(OtlpExportProtocol.HttpProtobuf, "gateway");
        Assert.NotNull(_host.Store.GetTrace(next));
    }
}
