using InterimPlatform.Dashboard.Business;
using InterimPlatform.Dashboard.Components.Pages;
using InterimPlatform.Dashboard.Telemetry;

namespace InterimPlatform.Tests.Unit.Dashboard.Business;

public sealed class PartnerIntakeTests
{
    private static readonly DateTimeOffset From = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private static readonly InstrumentInfo Counter = new(PartnerIntake.Meter, PartnerIntake.Instrument, null, "{message}", "Counter");

    [Fact]
    public void Replicas_series_are_added_step_by_step_and_a_step_nobody_recorded_stays_empty()
    {
        var a = new MetricSeries(Counter, [new(From, 1), new(From.AddSeconds(10), null), new(From.AddSeconds(20), 2)]);
        var b = new MetricSeries(Counter, [new(From, 3), new(From.AddSeconds(10), null), new(From.AddSeconds(20), null)]);

        var sum = PartnerIntake.Sum([a, b], From, From.AddSeconds(30), 3);

        Assert.Equal([4d, null, 2d], sum.Select(p => p.Value));
    }

    [Fact]
    public void A_histogram_is_charted_as_three_percentiles_and_a_counter_as_its_rate()
    {
        var histogram = Counter with { Kind = "Histogram" };
        var points = new MetricPoint[] { new(From, null, 1, 2, 3) };

        Assert.Equal(["p50", "p90", "p99"], Metrics.ToChart(histogram, points).Select(s => s.Name));
        Assert.Equal(3, Metrics.ToChart(histogram, points)[2].Points[0].Value);
        Assert.Equal("rate /s", Assert.Single(Metrics.ToChart(Counter, points)).Name);
    }
}
