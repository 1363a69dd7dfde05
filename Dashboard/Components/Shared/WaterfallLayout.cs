using InterimPlatform.Dashboard.Telemetry;

namespace InterimPlatform.Dashboard.Components.Shared;

/// <summary>A span placed in the waterfall: its row, indent and bar (in percent of the trace's duration).</summary>
public sealed record WaterfallRow(SpanDetail Span, int Depth, double OffsetPercent, double WidthPercent, int ColorIndex, bool HasChildren);

/// <summary>
/// Lays a trace out as a waterfall: each span under its parent (children by start time), indented by depth,
/// its bar starting and ending where the span did within the whole trace. Spans whose parent is not in the
/// trace (not received yet, or dropped) are shown as roots rather than lost.
/// </summary>
public static class WaterfallLayout
{
    /// <summary>Bars never get thinner than this, so a 50 µs span in a 2 s trace can still be seen and clicked.</summary>
    public const double MinWidthPercent = 0.3;

    public static IReadOnlyList<WaterfallRow> Compute(IReadOnlyList<SpanDetail> spans)
    {
        if (spans.Count == 0)
        {
            return [];
        }

        var start = spans.Min(s => s.Start);
        var end = spans.Max(s => s.Start + s.Duration);
        var total = end - start;
        var ids = spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        var children = spans
            .Where(s => s.ParentSpanId is { } p && ids.Contains(p) && p != s.SpanId)
            .GroupBy(s => s.ParentSpanId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(s => s.Start).ThenBy(s => s.SpanId, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var roots = spans.Where(s => s.ParentSpanId is not { } p || !ids.Contains(p) || p == s.SpanId).OrderBy(s => s.Start).ToList();
        var colors = ResourceColors(spans);

        var rows = new List<WaterfallRow>(spans.Count);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        // An explicit stack: a trace can be thousands of spans deep in a pathological case.
        var stack = new Stack<(SpanDetail Span, int Depth)>();
        foreach (var root in Enumerable.Reverse(roots))
        {
            stack.Push((root, 0));
        }

        while (stack.Count > 0)
        {
            var (span, depth) = stack.Pop();
            if (!visited.Add(span.SpanId))
            {
                continue; // a duplicated span id would otherwise loop
            }

            var kids = children.GetValueOrDefault(span.SpanId) ?? [];
            var (offset, width) = Bar(span.Start - start, span.Duration, total);
            rows.Add(new WaterfallRow(span, depth, offset, width, colors[span.Resource], kids.Count > 0));
            for (var i = kids.Count - 1; i >= 0; i--)
            {
                stack.Push((kids[i], depth + 1));
            }
        }

        // Spans in a parent cycle are never reached from a root: list them at the end rather than hide them.
        foreach (var span in spans.Where(s => !visited.Contains(s.SpanId)))
        {
            visited.Add(span.SpanId);
            var (offset, width) = Bar(span.Start - start, span.Duration, total);
            rows.Add(new WaterfallRow(span, 0, offset, width, colors[span.Resource], false));
        }

        return rows;
    }

    /// <summary>Resources numbered in the order they first appear, so colours are stable within a trace.</summary>
    public static IReadOnlyDictionary<string, int> ResourceColors(IEnumerable<SpanDetail> spans)
    {
        var colors = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var span in spans.OrderBy(s => s.Start))
        {
            colors.TryAdd(span.Resource, colors.Count);
        }

        return colors;
    }

    internal static (double Offset, double Width) Bar(TimeSpan offset, TimeSpan duration, TimeSpan total)
    {
        if (total <= TimeSpan.Zero)
        {
            return (0, 100);
        }

        var left = Math.Clamp(offset / total * 100, 0, 100);
        var width = Math.Max(Math.Clamp(duration / total * 100, 0, 100), MinWidthPercent);
        if (left + width > 100)
        {
            left = Math.Max(0, 100 - width);
        }

        return (Math.Round(left, 3), Math.Round(width, 3));
    }
}
