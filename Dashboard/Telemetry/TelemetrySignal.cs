namespace InterimPlatform.Dashboard.Telemetry;

/// <summary>The three OTLP signals; each has its own receiver path and its own segment files.</summary>
internal enum TelemetrySignal
{
    Traces,
    Logs,
    Metrics,
}
