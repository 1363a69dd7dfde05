using System.Text;
using Google.Protobuf.Collections;
using InterimPlatform.Dashboard.Otlp.Collector.Metrics;
using InterimPlatform.Dashboard.Otlp.Common;
using InterimPlatform.Dashboard.Otlp.Metrics;

namespace InterimPlatform.Dashboard.Telemetry;

public sealed partial class TelemetryStore
{
    private Dictionary<string, int> AddMetrics(ExportMetricsServiceRequest request, DateTimeOffset receivedAt)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var resourceMetrics in request.ResourceMetrics)
            {
                var identity = Identity(resourceMetrics.Resource);
                var state = Resolve(identity.Service, identity.Instance, receivedAt);
                var points = 0;
                foreach (var scopeMetrics in resourceMetrics.ScopeMetrics)
                {
                    var meter = ScopeName(scopeMetrics.Scope);
                    foreach (var metric in scopeMetrics.Metrics)
                    {
                        points += AddMetric(state, meter, metric);
                    }
                }
                Count(counts, state, points);
            }
        }
        return counts;
    }

    private int AddMetric(ResourceState state, string meter, Metric metric)
    {
        var (kind, cumulative) = metric.DataCase switch
        {
            Metric.DataOneofCase.Sum => (metric.Sum.IsMonotonic ? InstrumentKind.Counter : InstrumentKind.UpDownCounter,
                metric.Sum.AggregationTemporality != AggregationTemporality.Delta),
            Metric.DataOneofCase.Gauge => (InstrumentKind.Gauge, true),
            Metric.DataOneofCase.Histogram => (InstrumentKind.Histogram, metric.Histogram.AggregationTemporality != AggregationTemporality.Delta),
            Metric.DataOneofCase.ExponentialHistogram => (InstrumentKind.Histogram,
                metric.ExponentialHistogram.AggregationTemporality != AggregationTemporality.Delta),
            // Summaries carry precomputed quantiles the charts cannot merge; .NET never sends them.
            _ => (InstrumentKind.None, false),
        };
        if (kind == InstrumentKind.None)
        {
            return 0;
        }
        if (!state.Instruments.TryGetValue((meter, metric.Name), out var instrument) || instrument.Kind != kind)
        {
            state.Instruments[(meter, metric.Name)] = instrument = new InstrumentState(
                new InstrumentInfo(meter, metric.Name, NullIfEmpty(metric.Description), NullIfEmpty(metric.Unit), kind.ToString()), kind);
        }
        instrument.Cumulative = cumulative;
        var added = 0;
        switch (metric.DataCase)
        {
            case Metric.DataOneofCase.Sum:
                foreach (var point in metric.Sum.DataPoints)
                {
                    added += AddPoint(instrument, point.Attributes, new PointRecord((long)point.TimeUnixNano, (long)point.StartTimeUnixNano, Number(point), null, null));
                }
                break;
            case Metric.DataOneofCase.Gauge:
                foreach (var point in metric.Gauge.DataPoints)
                {
                    added += AddPoint(instrument, point.Attributes, new PointRecord((long)point.TimeUnixNano, (long)point.StartTimeUnixNano, Number(point), null, null));
                }
                break;
            case Metric.DataOneofCase.Histogram:
                foreach (var point in metric.Histogram.DataPoints)
                {
                    added += AddPoint(instrument, point.Attributes, new PointRecord((long)point.TimeUnixNano, (long)point.StartTimeUnixNano,
                        point.Count, point.BucketCounts.ToArray(), point.ExplicitBounds.ToArray()));
                }
                break;
            case Metric.DataOneofCase.ExponentialHistogram:
                foreach (var point in metric.ExponentialHistogram.DataPoints)
                {
                    var (bucketCounts, bounds) = ExplicitBuckets(point);
                    added += AddPoint(instrument, point.Attributes, new PointRecord((long)point.TimeUnixNano, (long)point.StartTimeUnixNano,
                        point.Count, bucketCounts, bounds));
                }
                break;
        }
        return added;
    }

    private int AddPoint(InstrumentState instrument, RepeatedField<KeyValue> attributes, PointRecord point)
    {
        var key = SeriesKey(attributes);
        if (!instrument.Series.TryGetValue(key, out var series))
        {
            if (instrument.Series.Count >= _options.MaxSeriesPerInstrument)
            {
                return 0;
            }
            instrument.Series[key] = series = new SeriesState(OtlpValues.Attributes(attributes));
        }
        var points = series.Points;
        // Exporters send in time order; a point out of order is inserted where it belongs.
        var index = points.Count;
        while (index > 0 && points[index - 1].TimeNanos > point.TimeNanos)
        {
            index--;
        }
        points.Insert(index, point);
        var oldest = points[^1].TimeNanos - _options.MetricsRetention.Ticks * 100;
        var drop = Math.Max(0, points.Count - _options.MaxPointsPerSeries);
        while (drop < points.Count && points[drop].TimeNanos < oldest)
        {
            drop++;
        }
        if (drop > 0)
        {
            points.RemoveRange(0, drop);
        }
        return 1;
    }

    private static double Number(NumberDataPoint point) =>
        point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    private static string SeriesKey(RepeatedField<KeyValue> attributes)
    {
        if (attributes.Count == 0)
        {
            return "";
        }
        var key = new StringBuilder();
        foreach (var attribute in attributes.OrderBy(attribute => attribute.Key, StringComparer.Ordinal))
        {
            key.Append(attribute.Key).Append('\u0001').Append(OtlpValues.Text(attribute.Value)).Append('\u0002');
        }
        return key.ToString();
    }

    /// <summary>An exponential histogram's positive buckets as explicit ones (upper bound base^(index+1)), the zero bucket first.</summary>
    private static (ulong[] Counts, double[] Bounds) ExplicitBuckets(ExponentialHistogramDataPoint point)
    {
        var positive = point.Positive?.BucketCounts ?? [];
        var offset = point.Positive?.Offset ?? 0;
        var @base = Math.Pow(2, Math.Pow(2, -point.Scale));
        var counts = new ulong[positive.Count + 2];
        var bounds = new double[positive.Count + 1];
        counts[0] = point.ZeroCount + (point.Negative?.BucketCounts.Aggregate(0UL, (sum, count) => sum + count) ?? 0);
        bounds[0] = positive.Count == 0 ? 0 : Math.Pow(@base, offset);
        for (var i = 0; i < positive.Count; i++)
        {
            counts[i + 1] = positive[i];
            bounds[i + 1] = Math.Pow(@base, offset + i + 1);
        }
        return (counts, bounds);
    }

    /// <inheritdoc />
    public IReadOnlyList<InstrumentInfo> Instruments(string resource)
    {
        lock (_gate)
        {
            return Matching(resource)
                .SelectMany(state => state.Instruments.Values.Select(instrument => instrument.Info))
                .DistinctBy(info => (info.Meter, info.Name))
                .OrderBy(info => info.Meter, StringComparer.Ordinal)
                .ThenBy(info => info.Name, StringComparer.Ordinal)
                .ToList();
        }
    }

    /// <inheritdoc />
    public MetricSeries? GetSeries(string resource, string meter, string instrument, DateTimeOffset from, DateTimeOffset to, int buckets,
        KeyValuePair<string, string>? attributeFilter = null)
    {
        if (buckets <= 0 || to <= from)
        {
            return null;
        }
        lock (_gate)
        {
            var instruments = Matching(resource)
                .Select(state => state.Instruments.GetValueOrDefault((meter, instrument)))
                .OfType<InstrumentState>()
                .ToList();
            if (instruments.Count == 0)
            {
                return null;
            }
            var series = instruments
                .SelectMany(state => state.Series.Values.Select(values => (Instrument: state, Series: values)))
                .Where(pair => attributeFilter is not { } filter || pair.Series.Attributes.Contains(filter))
                .ToList();
            var window = new SeriesWindow(OtlpValues.Nanos(from), OtlpValues.Nanos(to), buckets);
            var points = instruments[0].Kind switch
            {
                InstrumentKind.Counter => Rates(series, window),
                InstrumentKind.Histogram => Percentiles(series, window),
                _ => LastValues(series, window),
            };
            return new MetricSeries(instruments[0].Info, points);
        }
    }

    private readonly record struct SeriesWindow(long FromNanos, long ToNanos, int Buckets)
    {
        public double StepNanos => (double)(ToNanos - FromNanos) / Buckets;

        public int Bucket(long timeNanos) => timeNanos < FromNanos || timeNanos >= ToNanos
            ? -1
            : Math.Min(Buckets - 1, (int)((timeNanos - FromNanos) / StepNanos));

        public DateTimeOffset Time(int bucket) => OtlpValues.Time((ulong)(FromNanos + (long)(bucket * StepNanos)));
    }

    /// <summary>A counter's increase per second in each step: cumulative points by difference (a restart starts over), delta points as they are.</summary>
    private static List<MetricPoint> Rates(List<(InstrumentState Instrument, SeriesState Series)> series, SeriesWindow window)
    {
        var increase = new double?[window.Buckets];
        foreach (var (instrument, values) in series)
        {
            PointRecord? previous = null;
            foreach (var point in values.Points)
            {
                var delta = Increase(instrument.Cumulative, previous, point, window);
                previous = point;
                var bucket = window.Bucket(point.TimeNanos);
                if (bucket >= 0 && delta is { } value)
                {
                    increase[bucket] = (increase[bucket] ?? 0) + value;
                }
            }
        }
        var seconds = window.StepNanos / 1e9;
        return increase.Select((value, bucket) => new MetricPoint(window.Time(bucket), value / seconds)).ToList();
    }

    private static double? Increase(bool cumulative, PointRecord? previous, PointRecord point, SeriesWindow window)
    {
        if (!cumulative)
        {
            return point.Value;
        }
        if (previous is { } before && before.StartNanos == point.StartNanos && point.Value >= before.Value)
        {
            return point.Value - before.Value;
        }
        // No earlier point of this run: its whole value counts only when the run began inside the window.
        return point.StartNanos >= window.FromNanos ? point.Value : previous is null ? null : point.Value;
    }

    /// <summary>Gauges and up-down counters: each attribute set's last value in the step, summed.</summary>
    private static List<MetricPoint> LastValues(List<(InstrumentState Instrument, SeriesState Series)> series, SeriesWindow window)
    {
        var sums = new double?[window.Buckets];
        foreach (var (_, values) in series)
        {
            var last = new double?[window.Buckets];
            foreach (var point in values.Points)
            {
                if (window.Bucket(point.TimeNanos) is var bucket and >= 0)
                {
                    last[bucket] = point.Value;
                }
            }
            for (var i = 0; i < sums.Length; i++)
            {
                if (last[i] is { } value)
                {
                    sums[i] = (sums[i] ?? 0) + value;
                }
            }
        }
        return sums.Select((value, bucket) => new MetricPoint(window.Time(bucket), value)).ToList();
    }

    /// <summary>A histogram's p50/p90/p99 per step, from the bucket counts recorded in it (cumulative points by difference).</summary>
    private static List<MetricPoint> Percentiles(List<(InstrumentState Instrument, SeriesState Series)> series, SeriesWindow window)
    {
        double[]? bounds = null;
        var steps = new ulong[window.Buckets][];
        foreach (var (instrument, values) in series)
        {
            PointRecord? previous = null;
            foreach (var point in values.Points)
            {
                var counts = BucketIncrease(instrument.Cumulative, previous, point, window);
                previous = point;
                var bucket = window.Bucket(point.TimeNanos);
                if (bucket < 0 || counts is null)
                {
                    continue;
                }
                bounds ??= point.Bounds;
                // Attribute sets with other boundaries cannot be added bucket by bucket.
                if (!bounds!.AsSpan().SequenceEqual(point.Bounds))
                {
                    continue;
                }
                var step = steps[bucket] ??= new ulong[counts.Length];
                for (var i = 0; i < counts.Length; i++)
                {
                    step[i] += counts[i];
                }
            }
        }
        return steps.Select((counts, bucket) => counts is null || bounds is null || counts.All(count => count == 0)
                ? new MetricPoint(window.Time(bucket), null)
                : new MetricPoint(window.Time(bucket), null, Percentile(counts, bounds, 0.5), Percentile(counts, bounds, 0.9), Percentile(counts, bounds, 0.99)))
            .ToList();
    }

    private static ulong[]? BucketIncrease(bool cumulative, PointRecord? previous, PointRecord point, SeriesWindow window)
    {
        var counts = point.Counts!;
        if (!cumulative)
        {
            return counts;
        }
        if (previous is { } before && before.StartNanos == point.StartNanos && before.Counts!.Length == counts.Length
            && before.Bounds!.AsSpan().SequenceEqual(point.Bounds))
        {
            var increase = new ulong[counts.Length];
            for (var i = 0; i < counts.Length; i++)
            {
                if (counts[i] < before.Counts[i])
                {
                    return counts;
                }
                increase[i] = counts[i] - before.Counts[i];
            }
            return increase;
        }
        return point.StartNanos >= window.FromNanos || previous is not null ? counts : null;
    }

    /// <summary>
    /// The value below which a fraction <paramref name="quantile"/> of the recorded values fall, interpolated linearly
    /// within its bucket (as Prometheus' histogram_quantile does). The first bucket starts at 0 (or its bound when
    /// negative); the overflow bucket answers its lower bound, its values being unbounded.
    /// </summary>
    internal static double Percentile(ulong[] counts, double[] bounds, double quantile)
    {
        ulong total = 0;
        foreach (var count in counts)
        {
            total += count;
        }
        if (total == 0)
        {
            return double.NaN;
        }
        var rank = quantile * total;
        ulong below = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] > 0 && below + counts[i] >= rank)
            {
                if (i >= bounds.Length)
                {
                    return bounds.Length == 0 ? 0 : bounds[^1];
                }
                var upper = bounds[i];
                var lower = i == 0 ? Math.Min(0, upper) : bounds[i - 1];
                return lower + (upper - lower) * ((rank - below) / counts[i]);
            }
            below += counts[i];
        }
        return bounds.Length == 0 ? 0 : bounds[^1];
    }

    internal enum InstrumentKind
    {
        None,
        Counter,
        UpDownCounter,
        Gauge,
        Histogram,
    }

    internal sealed class InstrumentState(InstrumentInfo info, InstrumentKind kind)
    {
        public InstrumentInfo Info { get; } = info;

        public InstrumentKind Kind { get; } = kind;

        public bool Cumulative { get; set; }

        public Dictionary<string, SeriesState> Series { get; } = new(StringComparer.Ordinal);
    }

    internal sealed class SeriesState(KeyValuePair<string, string>[] attributes)
    {
        public KeyValuePair<string, string>[] Attributes { get; } = attributes;

        public List<PointRecord> Points { get; } = [];
    }

    /// <param name="Value">A sum's or gauge's value; a histogram's count.</param>
    internal readonly record struct PointRecord(long TimeNanos, long StartNanos, double Value, ulong[]? Counts, double[]? Bounds);
}
