using InterimPlatform.Dashboard.Components.Shared;
using InterimPlatform.Dashboard.Telemetry;

namespace InterimPlatform.Tests.Unit.Dashboard.Pages;

public sealed class WaterfallLayoutTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static SpanDetail Span(string id, string? parent, string resource, int startMs, int durationMs, string kind = "Internal") =>
        new(id, parent, "op-" + id, kind, resource, "scope", T0.AddMilliseconds(startMs), TimeSpan.FromMilliseconds(durationMs), "Unset", null, [], [], []);

    [Fact]
    public void A_gateway_request_through_a_message_hop_is_laid_out_by_parent_and_time()
    {
        // gateway (0–100) → candidates (10–60) → publish (50–55) → matching consume (70–200, after the request ended)
        var spans = new[]
        {
            Span("a", null, "gateway", 0, 100, "Server"),
            Span("b", "a", "candidates", 10, 50, "Server"),
            Span("c", "b", "candidates", 50, 5, "Producer"),
            Span("d", "c", "matching", 70, 130, "Consumer"),
        };

        var rows = WaterfallLayout.Compute(spans);

        Assert.Equal(["a", "b", "c", "d"], rows.Select(r => r.Span.SpanId));
        Assert.Equal([0, 1, 2, 3], rows.Select(r => r.Depth));
        // The trace lasts 200 ms, from the first start to the last end.
        Assert.Equal([0d, 5, 25, 35], rows.Select(r => r.OffsetPercent));
        Assert.Equal([50d, 25, 2.5, 65], rows.Select(r => r.WidthPercent));
        Assert.Equal([0, 1, 1, 2], rows.Select(r => r.ColorIndex));
        Assert.Equal([true, true, true, false], rows.Select(r => r.HasChildren));
    }

    [Fact]
    public void Children_follow_their_parent_ordered_by_start_whatever_the_input_order()
    {
        var spans = new[]
        {
            Span("root", null, "gateway", 0, 100),
            Span("late", "root", "gateway", 60, 10),
            Span("early", "root", "gateway", 5, 10),
            Span("early-child", "early", "candidates", 6, 2),
        };

        var rows = WaterfallLayout.Compute(spans);

        Assert.Equal(["root", "early", "early-child", "late"], rows.Select(r => r.Span.SpanId));
        Assert.Equal([0, 1, 2, 1], rows.Select(r => r.Depth));
    }

    [Fact]
    public void A_span_whose_parent_is_missing_is_a_root_and_nothing_is_lost_to_a_cycle()
    {
        var spans = new[]
        {
            Span("orphan", "not-received", "matching", 20, 10),
            Span("x", "y", "candidates", 0, 10),
            Span("y", "x", "candidates", 5, 10),
            Span("self", "self", "gateway", 30, 10),
        };

        var rows = WaterfallLayout.Compute(spans);

        Assert.Equal(4, rows.Count);
        Assert.Equal(spans.Select(s => s.SpanId).Order(), rows.Select(r => r.Span.SpanId).Order());
        Assert.All(rows.Where(r => r.Span.SpanId is "orphan" or "self"), r => Assert.Equal(0, r.Depth));
    }

    [Fact]
    public void Tiny_spans_keep_a_visible_width_and_bars_stay_inside_the_timeline()
    {
        var spans = new[] { Span("a", null, "gateway", 0, 10_000), Span("b", "a", "gateway", 10_000, 0) };

        var rows = WaterfallLayout.Compute(spans);

        var tiny = rows.Single(r => r.Span.SpanId == "b");
        Assert.Equal(WaterfallLayout.MinWidthPercent, tiny.WidthPercent);
        Assert.True(tiny.OffsetPercent + tiny.WidthPercent <= 100);
    }

    [Fact]
    public void A_trace_of_one_instant_fills_the_timeline_and_an_empty_trace_has_no_rows()
    {
        Assert.Equal(100, WaterfallLayout.Compute([Span("a", null, "gateway", 0, 0)]).Single().WidthPercent);
        Assert.Empty(WaterfallLayout.Compute([]));
    }
}
