using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace InterimPlatform.Engagements.Sla;

/// <summary>
/// The last reading of the 10-day promise (refreshed by <see cref="SlaWatch"/>'s scan), and the gauges that
/// publish it: <c>interimplatform.engagements.sla.*</c>. Gauge callbacks and health checks run on the
/// exporter's and the prober's schedule, so they read this and never the database.
/// </summary>
public sealed class SlaMonitor
{
    public const string MeterName = "InterimPlatform.Engagements";

    /// <summary>One reference, swapped whole: a gauge or a probe never sees one read's standing with another's failure.</summary>
    private sealed record Reading(SlaStanding? Standing, string? Failure);

    private Reading _last = new(null, null);

    public SlaMonitor(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge(
            "interimplatform.engagements.sla.at_risk",
            () => Observe<int>(s => [new Measurement<int>(s.AtRisk)]),
            "{engagement}",
            "Open engagements with a milestone due within the at-risk window (GET /api/engagements/sla/at-risk lists them).");
        meter.CreateObservableGauge(
            "interimplatform.engagements.sla.breached",
            () => Observe<int>(s => [new Measurement<int>(s.Breaches.Count)]),
            "{engagement}",
            "Open engagements with a milestone due and not reached.");
        meter.CreateObservableGauge(
            "interimplatform.engagements.sla.median_days",
            () => Observe(s => s.MedianDays
                .Where(m => m.Value is not null)
                .Select(m => new Measurement<double>(m.Value!.Value, new KeyValuePair<string, object?>("milestone", m.Key)))),
            "d",
            $"Median days from the SLA clock's start to the milestone, over the last {SlaEndpoints.KpiDays} days (as GET /api/engagements/sla/kpis).");
    }

    /// <summary>The last successful reading; null until the first.</summary>
    public SlaStanding? Standing => Volatile.Read(ref _last).Standing;

    public void Record(SlaStanding standing) => Volatile.Write(ref _last, new Reading(standing, null));

    /// <summary>The engagements could not be read: the health check says why, the gauges keep the last figures.</summary>
    public void RecordFailure(string reason) => Volatile.Write(ref _last, Volatile.Read(ref _last) with { Failure = reason });

    /// <summary>What the <c>sla</c> health check reports: Degraded while an open engagement is in breach, or the reading failed.</summary>
    public HealthCheckResult Health(int promisedDays)
    {
        var last = Volatile.Read(ref _last);
        return last switch
        {
            { Failure: { } reason, Standing: null } => HealthCheckResult.Degraded($"not read yet: {reason}"),
            { Failure: { } reason, Standing: { } earlier } => HealthCheckResult.Degraded(
                $"not read since {earlier.ReadAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC: {reason}"),
            { Standing: { } standing } => standing.ToHealth(promisedDays),
            _ => HealthCheckResult.Healthy("not read yet"),
        };
    }

    /// <summary>Nothing before the first reading: an unread figure is not a zero.</summary>
    private IEnumerable<Measurement<T>> Observe<T>(Func<SlaStanding, IEnumerable<Measurement<T>>> measure) where T : struct =>
        Standing is { } standing ? measure(standing) : [];
}

/// <summary>
/// <c>sla</c> in <c>/health</c>: Degraded (still HTTP 200, so the gateway keeps sending requests) while an open
/// engagement is in breach of the 10-day promise, naming them, so the dashboard shows it. Not a liveness check:
/// a late shortlist is no reason to restart anything.
/// </summary>
internal sealed class SlaHealthCheck(SlaMonitor monitor, IOptions<SlaOptions> targets) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(monitor.Health(targets.Value.ProposedDays));
}
