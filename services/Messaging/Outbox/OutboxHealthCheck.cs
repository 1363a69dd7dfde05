using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace InterimPlatform.Messaging.Outbox;

/// <summary>The outbox's backlog: how many events wait, and how long the oldest has waited.</summary>
public sealed record OutboxBacklog(long Pending, TimeSpan OldestAge);

/// <summary>Reads the backlog, and publishes it as metrics (<c>interimplatform.outbox.*</c>).</summary>
public sealed class OutboxMonitor
{
    public const string MeterName = "InterimPlatform.Messaging";
    private readonly TimeProvider _timeProvider;
    private OutboxBacklog _last = new(0, TimeSpan.Zero);

    public OutboxMonitor(IMeterFactory meters, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("interimplatform.outbox.pending", () => _last.Pending, "{event}", "Integration events written but not yet confirmed by the broker.");
        meter.CreateObservableGauge("interimplatform.outbox.oldest_age", () => _last.OldestAge.TotalSeconds, "s", "Age of the oldest unsent integration event.");
        Published = meter.CreateCounter<long>("interimplatform.outbox.published", "{event}", "Integration events published and confirmed by the broker.");
    }

    public Counter<long> Published { get; }

    public async Task<OutboxBacklog> MeasureAsync(DbContext db, CancellationToken cancellationToken)
    {
        var rows = await db.Set<OutboxMessage>()
            .Where(m => m.SentAt == null)
            .GroupBy(_ => 1)
            .Select(g => new { Pending = g.LongCount(), Oldest = g.Min(m => m.CreatedAt) })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        _last = rows.Count == 0
            ? new OutboxBacklog(0, TimeSpan.Zero)
            : new OutboxBacklog(rows[0].Pending, _timeProvider.GetUtcNow() - rows[0].Oldest);
        return _last;
    }
}

/// <summary>
/// Part of <c>/health</c>: degraded while events wait longer than usual, unhealthy when they have waited
/// so long that other services are visibly out of date.
/// </summary>
internal sealed class OutboxHealthCheck<TDbContext>(TDbContext db, OutboxMonitor monitor) : IHealthCheck
    where TDbContext : DbContext
{
    private static readonly TimeSpan DegradedAfter = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan UnhealthyAfter = TimeSpan.FromMinutes(10);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var backlog = await monitor.MeasureAsync(db, cancellationToken).ConfigureAwait(false);
        var data = new Dictionary<string, object> { ["pending"] = backlog.Pending, ["oldestAgeSeconds"] = Math.Round(backlog.OldestAge.TotalSeconds, 1) };
        var description = $"{backlog.Pending} events waiting; oldest {backlog.OldestAge.TotalSeconds:0} s";
        if (backlog.OldestAge > UnhealthyAfter)
        {
            return HealthCheckResult.Unhealthy(description, data: data);
        }

        return backlog.OldestAge > DegradedAfter ? HealthCheckResult.Degraded(description, data: data) : HealthCheckResult.Healthy(description, data);
    }
}
