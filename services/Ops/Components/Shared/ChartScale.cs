namespace InterimPlatform.Ops.Components.Shared;

/// <summary>
/// Maps a chart's time and value ranges onto an SVG plot area: a y axis that starts at zero (or below, for
/// negative gauges) and ends at a "nice" round value, with evenly spaced ticks.
/// </summary>
public sealed class ChartScale
{
    public ChartScale(DateTimeOffset from, DateTimeOffset to, double minValue, double maxValue, double left, double top, double width, double height, int ticks = 4)
    {
        if (to <= from)
        {
            throw new ArgumentException("The window must end after it starts.", nameof(to));
        }

        From = from;
        To = to;
        Left = left;
        Top = top;
        Width = width;
        Height = height;
        var low = Math.Min(0, minValue);
        var high = Math.Max(0, maxValue);
        if (high - low <= 0)
        {
            high = 1; // nothing or only zeros: an axis from 0 to 1 rather than a division by zero
        }

        Step = NiceStep((high - low) / ticks);
        Min = Math.Floor(low / Step) * Step;
        Max = Math.Ceiling(high / Step) * Step;
    }

    public DateTimeOffset From { get; }

    public DateTimeOffset To { get; }

    public double Left { get; }

    public double Top { get; }

    public double Width { get; }

    public double Height { get; }

    /// <summary>The axis's lowest value (zero unless values are negative).</summary>
    public double Min { get; }

    /// <summary>The axis's highest value: a multiple of <see cref="Step"/> at or above the largest value.</summary>
    public double Max { get; }

    public double Step { get; }

    public double X(DateTimeOffset time) => Left + Math.Clamp((time - From) / (To - From), 0, 1) * Width;

    public double Y(double value) => Top + Height - (Math.Clamp(value, Min, Max) - Min) / (Max - Min) * Height;

    public IEnumerable<double> YTicks()
    {
        var count = (int)Math.Round((Max - Min) / Step);
        for (var i = 0; i <= count; i++)
        {
            yield return Min + i * Step;
        }
    }

    /// <summary>Evenly spaced times for the x axis labels, both ends included.</summary>
    public IEnumerable<DateTimeOffset> XTicks(int count)
    {
        for (var i = 0; i <= count; i++)
        {
            yield return From + (To - From) * i / count;
        }
    }

    /// <summary>The smallest of 1, 2, 2.5, 5 × 10ⁿ that is at least <paramref name="rough"/>.</summary>
    public static double NiceStep(double rough)
    {
        if (rough <= 0 || double.IsNaN(rough) || double.IsInfinity(rough))
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var fraction = rough / magnitude;
        var nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    /// <summary>Short axis labels: 1.2k, 3.5M, 0.25.</summary>
    public static string Format(double value)
    {
        var abs = Math.Abs(value);
        return abs switch
        {
            >= 1e9 => (value / 1e9).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + "G",
            >= 1e6 => (value / 1e6).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + "M",
            >= 1e3 => (value / 1e3).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + "k",
            0 => "0",
            < 0.01 => value.ToString("0.###E0", System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
