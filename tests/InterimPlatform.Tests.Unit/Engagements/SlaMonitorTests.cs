using System.Diagnostics.Metrics;
using InterimPlatform.Engagements.Desk;
using InterimPlatform.Engagements.Sla;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace InterimPlatform.Tests.Unit.Engagements;

/// <summary>The cache the gauges and the <c>sla</c> health check read: before the first reading, after one, after a failed one.</summary>
public sealed class SlaMonitorTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [Fact]
    public void Before_the_first_reading_the_check_is_healthy_not_read_yet_and_the_gauges_report_nothing()
    {
        var monitor = new SlaMonitor(Meters);

        var health = monitor.Health(10);

        Assert.Equal((HealthStatus.Healthy, "not read yet"), (health.Status, health.Description));
        Assert.Empty(Observe());
    }

    [Fact]
    public void After_a_reading_the_gauges_report_it_with_each_median_tagged_by_milestone()
    {
        var monitor = new SlaMonitor(Meters);
        monitor.Record(SlaStandingTests.Read(
            SlaStandingTests.Started(11),
            SlaStandingTests.Started(8.5, EngagementState.ShortlistReady, shortlistAfter: 3)) with
        {
            MedianDays = new Dictionary<string, double?> { [SlaClock.ShortlistReady] = 3.5, [SlaClock.Proposed] = 8.25, [SlaClock.Placed] = null },
        });

        var measured = Observe();

        Assert.Equal(1.0, Assert.Single(measured, m => m.Name == "interimplatform.engagements.sla.breached").Value);
        Assert.Equal(1.0, Assert.Single(measured, m => m.Name == "interimplatform.engagements.sla.at_risk").Value);
        var medians = measured.Where(m => m.Name == "interimplatform.engagements.sla.median_days").ToDictionary(m => m.Milestone!, m => m.Value);
        Assert.Equal(new Dictionary<string, double> { ["shortlist-ready"] = 3.5, ["proposed"] = 8.25 }, medians);
        Assert.Equal(HealthStatus.Degraded, monitor.Health(10).Status);
    }

    [Fact]
    public void A_failed_reading_is_degraded_with_the_reason_and_the_gauges_keep_the_last_figures()
    {
        var never = new SlaMonitor(Meters);
        never.RecordFailure("Failed to connect to 127.0.0.1:5432");
        var monitor = new SlaMonitor(Meters);
        monitor.Record(SlaStandingTests.Read(SlaStandingTests.Started(1)));
        monitor.RecordFailure("Failed to connect to 127.0.0.1:5432");

        var first = never.Health(10);
        var later = monitor.Health(10);

        Assert.Equal((HealthStatus.Degraded, "not read yet: Failed to connect to 127.0.0.1:5432"), (first.Status, first.Description));
        Assert.Equal((HealthStatus.Degraded, "not read since 2026-11-30 12:00 UTC: Failed to connect to 127.0.0.1:5432"), (later.Status, later.Description));
        monitor.Record(SlaStandingTests.Read(SlaStandingTests.Started(1)));
        Assert.Equal(HealthStatus.Healthy, monitor.Health(10).Status);
    }

    private IMeterFactory Meters => _services.GetRequiredService<IMeterFactory>();

    /// <summary>One collection of this test's gauges (only its own factory's: other tests' meters share the name).</summary>
    private List<(string Name, double Value, string? Milestone)> Observe()
    {
        var measured = new List<(string, double, string?)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SlaMonitor.MeterName && instrument.Meter.Scope == Meters)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => measured.Add((instrument.Name, value, Milestone(tags))));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => measured.Add((instrument.Name, value, Milestone(tags))));
        listener.Start();
        listener.RecordObservableInstruments();
        return measured;
    }

    private static string? Milestone(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "milestone")
            {
                return (string?)tag.Value;
            }
        }

        return null;
    }

    public void Dispose() => _services.Dispose();
}
