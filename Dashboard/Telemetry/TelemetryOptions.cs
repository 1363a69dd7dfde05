namespace InterimPlatform.Dashboard.Telemetry;

/// <summary>How the dashboard receives and keeps telemetry. Defaults follow Aspire's dashboard.</summary>
public sealed class TelemetryOptions
{
    /// <summary>The key every OTLP request must carry in the <c>x-otlp-api-key</c> header. Null or empty refuses every request.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Where received telemetry is persisted (the AppHost passes <c>&lt;state folder&gt;/telemetry</c>); null keeps it in memory only.</summary>
    public string? StorageDirectory { get; set; }

    /// <summary>Log records kept per resource; the oldest are dropped first.</summary>
    public int MaxLogsPerResource { get; set; } = 10_000;

    /// <summary>Traces kept per resource (a trace spanning several resources counts for each); the oldest are dropped first.</summary>
    public int MaxTracesPerResource { get; set; } = 10_000;

    /// <summary>Points kept per metric stream (one instrument, one attribute set): at the 1 s export interval, an hour.</summary>
    public int MaxPointsPerSeries { get; set; } = 3_600;

    /// <summary>Points older than this (relative to the stream's newest point) are dropped.</summary>
    public TimeSpan MetricsRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Attribute sets kept per instrument; new ones beyond are ignored so a high-cardinality attribute cannot exhaust memory.</summary>
    public int MaxSeriesPerInstrument { get; set; } = 1_000;

    /// <summary>
    /// A new <c>service.instance.id</c> of a service that has been silent this long takes over that resource (a restart)
    /// instead of being listed as a replica beside it. Services export metrics every second, so a running replica is never this quiet.
    /// </summary>
    public TimeSpan ReplicaQuietPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Upper bound of the segment files kept per signal, whatever the per-resource bounds would keep.</summary>
    public long MaxStorageBytesPerSignal { get; set; } = 512L * 1024 * 1024;
}
