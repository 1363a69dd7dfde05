using InterimPlatform.Dashboard.Telemetry;
using Microsoft.Extensions.Options;

namespace InterimPlatform.Dashboard.Business;

/// <summary>A named rate series (messages per second) and its mean over the window.</summary>
public sealed record IntakeSeries(string Name, IReadOnlyList<MetricPoint> Points)
{
    public double MeanRate => Points.Where(p => p.Value is not null).Select(p => p.Value!.Value).DefaultIfEmpty(0).Average();
}

/// <summary>Partner ingestion over a window: per receipt status and per partner, and the share rejected.</summary>
public sealed record IntakeFigures(IReadOnlyList<IntakeSeries> ByStatus, IReadOnlyList<IntakeSeries> ByPartner, double? RejectedPercent, bool HasData);

/// <summary>
/// Partner ingestion from the metric <c>interimplatform.partner_intake.messages</c> (meter
/// <c>InterimPlatform.Candidates</c>, tags <c>partner</c> and <c>status</c>) in the telemetry store: the service's
/// own figures, without reading its database.
/// </summary>
public sealed class PartnerIntake(ITelemetryQueries telemetry, IOptions<BusinessOptions> options)
{
    public const string Meter = "InterimPlatform.Candidates";
    public const string Instrument = "interimplatform.partner_intake.messages";
    public static readonly IReadOnlyList<string> Statuses = ["accepted", "rejected", "duplicate", "stale"];

    public IntakeFigures Read(DateTimeOffset from, DateTimeOffset to, int buckets)
    {
        // Replicas report under their own resource names: add them up.
        var resources = telemetry.Resources()
            .Where(r => string.Equals(r.ServiceName, options.Value.IntakeService, StringComparison.OrdinalIgnoreCase))
            .Select(r => r.Name)
            .ToList();

        IntakeSeries Series(string name, KeyValuePair<string, string>? filter) =>
            new(name, Sum(resources.Select(r => telemetry.GetSeries(r, Meter, Instrument, from, to, buckets, filter)).OfType<MetricSeries>().ToList(), from, to, buckets));

        var byStatus = Statuses.Select(s => Series(s, new("status", s))).ToList();
        var byPartner = options.Value.Partners.Select(p => Series(p, new("partner", p))).ToList();
        var total = byStatus.Sum(s => s.MeanRate);
        var rejected = byStatus.Single(s => s.Name == "rejected").MeanRate;
        var hasData = byStatus.Any(s => s.Points.Any(p => p.Value is not null));
        return new(byStatus, byPartner, total > 0 ? 100 * rejected / total : null, hasData);
    }

    /// <summary>Adds the replicas' series step by step; a step where none recorded stays empty.</summary>
    internal static IReadOnlyList<MetricPoint> Sum(IReadOnlyList<MetricSeries> series, DateTimeOffset from, DateTimeOffset to, int buckets)
    {
        if (series.Count == 1)
        {
            return series[0].Points;
        }

        var step = (to - from) / buckets;
        var points = new List<MetricPoint>(buckets);
        for (var i = 0; i < buckets; i++)
        {
            var values = series.Select(s => i < s.Points.Count ? s.Points[i].Value : null).OfType<double>().ToList();
            points.Add(new MetricPoint(from + step * i, values.Count == 0 ? null : values.Sum()));
        }

        return points;
    }
}
