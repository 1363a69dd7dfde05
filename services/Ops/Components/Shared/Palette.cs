namespace InterimPlatform.Ops.Components.Shared;

/// <summary>Series and resource colours, chosen to read on both the light and the dark theme.</summary>
public static class Palette
{
    private static readonly string[] Colors =
    [
        "#0f6cbd", "#c239b3", "#13a10e", "#da3b01", "#8764b8", "#038387", "#ca5010", "#4f6bed", "#986f0b", "#e3008c",
    ];

    public static string Color(int index) => Colors[((index % Colors.Length) + Colors.Length) % Colors.Length];
}

/// <summary>One line of a chart.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<ChartPoint> Points);

public readonly record struct ChartPoint(DateTimeOffset Time, double? Value);
