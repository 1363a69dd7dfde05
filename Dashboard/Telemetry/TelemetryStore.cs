using Google.Protobuf;
using InterimPlatform.Dashboard.Otlp.Collector.Logs;
using InterimPlatform.Dashboard.Otlp.Collector.Metrics;
using InterimPlatform.Dashboard.Otlp.Collector.Trace;
using InterimPlatform.Dashboard.Otlp.Common;
using InterimPlatform.Dashboard.Telemetry.Storage;
using Microsoft.Extensions.Logging;
using OtlpResource = InterimPlatform.Dashboard.Otlp.Resource.Resource;
using Microsoft.Extensions.Logging.Abstractions;

namespace InterimPlatform.Dashboard.Telemetry;

/// <summary>
/// The dashboard's telemetry: received OTLP logs, traces and metrics, bounded per resource in memory and, with a
/// <see cref="TelemetryOptions.StorageDirectory"/>, persisted so that an AppHost restart lists them again.
/// One lock guards the data; requests are parsed and converted outside it, so it is held only to link records in.
/// </summary>
public sealed partial class TelemetryStore : ITelemetryQueries, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly TelemetryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TelemetrySegments? _segments;
    private TelemetrySegments? _persistence;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ITimer _changedTimer;
    private int _changed;
    private int _started;

    private readonly Dictionary<(string Service, string Instance), ResourceState> _byInstance = [];
    private readonly Dictionary<string, List<ResourceState>> _byService = new(StringComparer.Ordinal);

    public TelemetryStore(TelemetryOptions options, TimeProvider? time = null, ILogger<TelemetryStore>? logger = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _segments = string.IsNullOrEmpty(options.StorageDirectory) ? null : new TelemetrySegments(options, _time, _logger);
        _persistence = _segments;
        // Pages refresh on Changed; raising it at most every 500 ms keeps a busy receiver from re-rendering them per request.
        _changedTimer = _time.CreateTimer(_ => RaiseChanged(), null, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500));
    }

    /// <inheritdoc />
    public event Action? Changed;

    /// <summary>Completes once persisted telemetry has been read back; receivers wait for it before storing anything new.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Reads persisted telemetry back (oldest first) and starts the background writer. Call once; receivers wait for it.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            await Ready.WaitAsync(cancellationToken);
            return;
        }
        try
        {
            if (_segments is not null)
            {
                var replayed = await _segments.OpenAsync(Replay, cancellationToken);
                if (replayed > 0)
                {
                    _logger.LogInformation("Read back {Count} persisted OTLP requests from {Directory}", replayed, _options.StorageDirectory);
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Unreadable storage costs persistence, not the dashboard: telemetry is still received and kept in memory.
            _persistence = null;
            _logger.LogError(exception, "Telemetry persistence in {Directory} is off: it could not be opened", _options.StorageDirectory);
        }
        _ready.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await _changedTimer.DisposeAsync();
        if (_segments is not null)
        {
            await _segments.DisposeAsync();
        }
        _ready.TrySetCanceled();
    }

    /// <summary>Stores one OTLP export request exactly as received (protobuf bytes) and queues it for persistence.</summary>
    /// <exception cref="InvalidProtocolBufferException">The bytes are not an export request of that signal.</exception>
    internal async ValueTask IngestAsync(TelemetrySignal signal, byte[] request, CancellationToken cancellationToken)
    {
        if (!Ready.IsCompleted)
        {
            await Ready.WaitAsync(cancellationToken);
        }
        var receivedAt = _time.GetUtcNow();
        var counts = Apply(signal, request, receivedAt);
        if (_persistence is not null)
        {
            await _persistence.AppendAsync(signal, request, receivedAt, counts, cancellationToken);
        }
    }

    internal ValueTask IngestAsync(ExportTraceServiceRequest request, CancellationToken cancellationToken) =>
        IngestAsync(TelemetrySignal.Traces, request.ToByteArray(), cancellationToken);

    internal ValueTask IngestAsync(ExportLogsServiceRequest request, CancellationToken cancellationToken) =>
        IngestAsync(TelemetrySignal.Logs, request.ToByteArray(), cancellationToken);

    internal ValueTask IngestAsync(ExportMetricsServiceRequest request, CancellationToken cancellationToken) =>
        IngestAsync(TelemetrySignal.Metrics, request.ToByteArray(), cancellationToken);

    private void Replay(TelemetrySignal signal, byte[] request, DateTimeOffset receivedAt, long segment)
    {
        try
        {
            var counts = Apply(signal, request, receivedAt);
            _segments!.Account(signal, segment, counts);
        }
        catch (InvalidProtocolBufferException exception)
        {
            // A damaged record costs that record only.
            _logger.LogWarning(exception, "Skipped an unreadable persisted {Signal} request", signal);
        }
    }

    /// <returns>Items stored per resource key (log records, traces, data points), for the segment files' retention.</returns>
    private Dictionary<string, int> Apply(TelemetrySignal signal, byte[] request, DateTimeOffset receivedAt)
    {
        var counts = signal switch
        {
            TelemetrySignal.Traces => AddTraces(ExportTraceServiceRequest.Parser.ParseFrom(request), receivedAt),
            TelemetrySignal.Logs => AddLogs(ExportLogsServiceRequest.Parser.ParseFrom(request), receivedAt),
            _ => AddMetrics(ExportMetricsServiceRequest.Parser.ParseFrom(request), receivedAt),
        };
        Volatile.Write(ref _changed, 1);
        return counts;
    }

    private void RaiseChanged()
    {
        if (Interlocked.Exchange(ref _changed, 0) == 0)
        {
            return;
        }
        try
        {
            Changed?.Invoke();
        }
        catch (Exception exception)
        {
            // A page's handler failing must not stop the notifications of the others.
            _logger.LogWarning(exception, "A telemetry Changed handler failed");
        }
    }

    // ---- Resources ----

    /// <inheritdoc />
    public IReadOnlyList<TelemetryResource> Resources()
    {
        lock (_gate)
        {
            return _byService.Values.SelectMany(states => states)
                .Select(state => new TelemetryResource(Name(state), state.ServiceName, state.InstanceId.Length == 0 ? null : state.InstanceId))
                .OrderBy(resource => resource.Name, StringComparer.Ordinal)
                .ToList();
        }
    }

    /// <summary>
    /// The resource an instance's telemetry belongs to. A new instance of a service takes over a resource of that
    /// service that has been quiet for <see cref="TelemetryOptions.ReplicaQuietPeriod"/> (a restart, including an
    /// AppHost restart: telemetry read back from disk is long quiet); otherwise it is a replica beside the others.
    /// </summary>
    private ResourceState Resolve(string service, string instance, DateTimeOffset receivedAt)
    {
        if (_byInstance.TryGetValue((service, instance), out var known))
        {
            known.LastReceived = receivedAt;
            return known;
        }
        if (!_byService.TryGetValue(service, out var states))
        {
            _byService[service] = states = [];
        }
        var quiet = states.Where(state => receivedAt - state.LastReceived >= _options.ReplicaQuietPeriod)
            .MaxBy(state => state.LastReceived);
        var resolved = quiet ?? new ResourceState(service, instance, _options.MaxLogsPerResource);
        if (quiet is null)
        {
            states.Add(resolved);
        }
        resolved.InstanceId = instance;
        resolved.LastReceived = receivedAt;
        _byInstance[(service, instance)] = resolved;
        return resolved;
    }

    private static (string Service, string Instance) Identity(OtlpResource? resource)
    {
        var service = resource is null ? null : OtlpValues.Find(resource.Attributes, "service.name");
        var instance = resource is null ? null : OtlpValues.Find(resource.Attributes, "service.instance.id");
        return (string.IsNullOrEmpty(service) ? "unknown_service" : service, instance ?? "");
    }

    /// <summary>Aspire's replica naming: the service name, with a short instance id only where the service has several resources.</summary>
    private string Name(ResourceState state)
    {
        var states = _byService[state.ServiceName];
        if (states.Count == 1 || state.InstanceId.Length == 0)
        {
            return state.ServiceName;
        }
        return $"{state.ServiceName}-{state.InstanceId[..Math.Min(8, state.InstanceId.Length)]}";
    }

    /// <summary>A resource filter matches a resource's name, or its service name (then every replica).</summary>
    private bool Matches(ResourceState state, string? resource) =>
        resource is null || state.ServiceName == resource || Name(state) == resource;

    private IEnumerable<ResourceState> Matching(string? resource) =>
        _byService.Values.SelectMany(states => states).Where(state => Matches(state, resource));

    private static void Count(Dictionary<string, int> counts, ResourceState state, int count)
    {
        counts[state.Key] = counts.GetValueOrDefault(state.Key) + count;
    }

    /// <summary>One resource (a service, or one of its replicas) and what it sent.</summary>
    internal sealed class ResourceState(string serviceName, string firstInstanceId, int logCapacity)
    {
        /// <summary>Stable across restarts of the store (the first instance seen), so segment files can count per resource.</summary>
        public string Key { get; } = $"{serviceName}\n{firstInstanceId}";

        public string ServiceName { get; } = serviceName;

        public string InstanceId { get; set; } = firstInstanceId;

        public DateTimeOffset LastReceived { get; set; }

        public Ring<LogRecordEntry> Logs { get; } = new(logCapacity);

        /// <summary>Traces with a span of this resource, in the order the resource first sent to them.</summary>
        public Queue<TraceRecord> Traces { get; } = new();

        public Dictionary<(string Meter, string Name), InstrumentState> Instruments { get; } = [];
    }

    private static string ScopeName(InstrumentationScope? scope) => scope?.Name ?? "";
}
