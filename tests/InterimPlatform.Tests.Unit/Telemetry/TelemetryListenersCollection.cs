namespace InterimPlatform.Tests.Unit.Telemetry;

/// <summary>Tests that listen to every activity of the process, run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryListenersCollection
{
    public const string Name = "Process-wide telemetry listeners";
}
