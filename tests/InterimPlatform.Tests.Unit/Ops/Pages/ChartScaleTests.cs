using InterimPlatform.Ops.Components.Shared;

namespace InterimPlatform.Tests.Unit.Ops.Pages;

public sealed class ChartScaleTests
{
    private static readonly DateTimeOffset From = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0.7, 1)]
    [InlineData(1, 1)]
    [InlineData(1.3, 2)]
    [InlineData(2.2, 2.5)]
    [InlineData(3, 5)]
    [InlineData(7, 10)]
    [InlineData(1234, 2000)]
    [InlineData(0.042, 0.05)]
    [InlineData(0, 1)]
    public void Steps_are_round_numbers(double rough, double expected) =>
        Assert.Equal(expected, ChartScale.NiceStep(rough), 9);

    [Fact]
    public void The_y_axis_starts_at_zero_and_ends_at_a_round_value_above_the_largest()
    {
        var scale = new ChartScale(From, From.AddMinutes(5), 3, 87, left: 50, top: 10, width: 700, height: 200);

        Assert.Equal(0, scale.Min);
        Assert.Equal(100, scale.Max);
        Assert.Equal([0d, 25, 50, 75, 100], scale.YTicks());
        Assert.Equal(210, scale.Y(0));   // bottom of the plot
        Assert.Equal(10, scale.Y(100));  // top
        Assert.Equal(110, scale.Y(50));
    }

    [Fact]
    public void Time_maps_linearly_across_the_plot_and_is_clamped_to_it()
    {
        var scale = new ChartScale(From, From.AddMinutes(10), 0, 1, left: 50, top: 0, width: 600, height: 100);

        Assert.Equal(50, scale.X(From));
        Assert.Equal(350, scale.X(From.AddMinutes(5)));
        Assert.Equal(650, scale.X(From.AddMinutes(10)));
        Assert.Equal(650, scale.X(From.AddMinutes(20)));
        Assert.Equal(5, scale.XTicks(4).Count());
    }

    [Fact]
    public void Negative_gauges_extend_the_axis_below_zero_and_nothing_at_all_still_has_an_axis()
    {
        var negative = new ChartScale(From, From.AddMinutes(1), -30, 40, 0, 0, 100, 100);
        var empty = new ChartScale(From, From.AddMinutes(1), 0, 0, 0, 0, 100, 100);

        Assert.True(negative.Min <= -30 && negative.Max >= 40);
        Assert.Equal(0, empty.Min);
        Assert.Equal(1, empty.Max);
        Assert.Throws<ArgumentException>(() => new ChartScale(From, From, 0, 1, 0, 0, 1, 1));
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(12.5, "12.5")]
    [InlineData(1500, "1.5k")]
    [InlineData(2_500_000, "2.5M")]
    [InlineData(0.25, "0.25")]
    public void Axis_labels_are_short(double value, string expected) => Assert.Equal(expected, ChartScale.Format(value));
}
