using InterimPlatform.Contracts.Engagements.V1;
using InterimPlatform.Engagements.Data;
using InterimPlatform.Engagements.Desk;
using InterimPlatform.Messaging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace InterimPlatform.Engagements.Sla;

/// <summary>Median and 90th percentile of a duration, in days; null when nothing was measured.</summary>
public sealed record DurationFigures(int Count, double? MedianDays, double? P90Days);

/// <summary>The engagement desk's performance over a period (engagements whose SLA clock started in it).</summary>
/// <param name="SlaCompliancePercent">Of the engagements whose proposal target has been decided (met, missed or breached), the share that met it.</param>
/// <param name="Replacements">Placements ended by a replacement in the period.</param>
public sealed record SlaKpis(
    DateOnly From,
    DateOnly To,
    int Engagements,
    DurationFigures TimeToShortlist,
    DurationFigures TimeToProposal,
    DurationFigures TimeToPlacement,
    double? SlaCompliancePercent,
    int Breaches,
    int Replacements,
    SlaOptions Targets);

/// <summary>An engagement against the 10-day promise.</summary>
public sealed record SlaEntry(Guid EngagementId, string Title, string State, DateTimeOffset ClockStartedAt, IReadOnlyList<MilestoneStatus> Milestones);

public static class SlaEndpoints
{
    /// <summary>The default KPI period, in days: what <c>/sla/kpis</c> and the SLA gauges report over.</summary>
    public const int KpiDays = 90;

    public static IEndpointRouteBuilder MapSlaEndpoints(this IEndpointRouteBuilder app)
    {
        var sla = app.MapGroup("/api/engagements/sla").WithTags("SLA and KPIs");
        sla.MapGet("/at-risk", (EngagementDesk desk, CancellationToken ct) => ListAsync(desk, SlaClock.IsAtRisk, ct)).WithName("ListEngagementsAtRisk")
            .WithSummary("Open engagements with a milestone due within the at-risk window (default 2 days)");
        sla.MapGet("/breached", (EngagementDesk desk, CancellationToken ct) => ListAsync(desk, SlaClock.IsBreached, ct)).WithName("ListBreachedEngagements")
            .WithSummary("Engagements that missed a milestone target, or are past one without reaching it");
        sla.MapGet("/kpis", KpisAsync).WithName("GetEngagementKpis")
            .WithSummary("Median and p90 time to shortlist, proposal and placement; SLA compliance; replacements — over a period (default the last 90 days)");
        return app;
    }

    private static async Task<Ok<List<SlaEntry>>> ListAsync(EngagementDesk desk, Func<Engagement, SlaOptions, DateTimeOffset, bool> which, CancellationToken cancellationToken)
    {
        var now = desk.Now;
        var timed = await desk.Db.Engagements.AsNoTracking().Where(e => e.ClockStartedAt != null).OrderBy(e => e.ClockStartedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok(timed.Where(e => which(e, desk.Sla, now))
            .Select(e => new SlaEntry(e.Id, e.Title, e.State, e.ClockStartedAt!.Value, SlaClock.Milestones(e, desk.Sla, now)))
            .ToList());
    }

    internal static async Task<Results<Ok<SlaKpis>, ValidationProblem>> KpisAsync(EngagementDesk desk, CancellationToken cancellationToken, DateOnly? from = null, DateOnly? to = null)
    {
        var earliest = new DateOnly(2000, 1, 1);
        var latest = new DateOnly(2100, 1, 1);
        if (from < earliest || from > latest || to < earliest || to > latest)
        {
            return EngagementDesk.Invalid("from", "Dates between 2000-01-01 and 2100-01-01.");
        }

        var (since, until) = KpiPeriod(desk.Today, from, to);
        if (since >= until || until.DayNumber - since.DayNumber > 3660)
        {
            return EngagementDesk.Invalid("from", "from must be before to, at most ten years apart.");
        }

        return TypedResults.Ok(await MeasureKpisAsync(desk.Db, desk.Sla, since, until, desk.Now, cancellationToken));
    }

    /// <summary>The KPI period, <c>[since, until)</c>: by default the 90 days up to and including today.</summary>
    internal static (DateOnly Since, DateOnly Until) KpiPeriod(DateOnly today, DateOnly? from = null, DateOnly? to = null)
    {
        var until = to ?? today.AddDays(1);
        return (from ?? until.AddDays(-KpiDays), until);
    }

    /// <summary>The KPIs of the engagements whose clock started in <c>[since, until)</c>; <c>/sla/kpis</c> and the SLA gauges both read them here.</summary>
    internal static async Task<SlaKpis> MeasureKpisAsync(EngagementsDbContext db, SlaOptions targets, DateOnly since, DateOnly until, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var start = new DateTimeOffset(since.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var end = new DateTimeOffset(until.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        // Only the clock's columns: the gauges read this every scan, and an engagement's lists (history, shortlist) are most of its row.
        var started = await db.Engagements.AsNoTracking()
            .Where(e => e.ClockStartedAt >= start && e.ClockStartedAt < end)
            .Select(e => new Engagement
            {
                Id = e.Id,
                Title = "",
                State = e.State,
                ClockStartedAt = e.ClockStartedAt,
                ShortlistReadyAt = e.ShortlistReadyAt,
                ProposedAt = e.ProposedAt,
                PlacedAt = e.PlacedAt,
            })
            .ToListAsync(cancellationToken);
        var replacements = (await db.Engagements.AsNoTracking().Where(e => e.Replacements > 0).Select(e => e.Placements).ToListAsync(cancellationToken))
            .SelectMany(p => p)
            .Count(p => p.EndReason != null && p.EndReason.StartsWith("replaced", StringComparison.Ordinal) && p.EndedOn >= since && p.EndedOn < until);
        return Kpis(since, until, started, replacements, targets, now);
    }

    /// <summary>The KPIs of <paramref name="started"/> (engagements whose clock started in the period), without the database.</summary>
    internal static SlaKpis Kpis(DateOnly since, DateOnly until, IReadOnlyList<Engagement> started, int replacements, SlaOptions targets, DateTimeOffset now)
    {
        var proposals = started.Select(e => SlaClock.Milestones(e, targets, now).Single(m => m.Milestone == SlaClock.Proposed)).Where(m => m.Status is "met" or "missed" or "breached").ToList();
        return new SlaKpis(
            since,
            until,
            started.Count,
            Figures(started.Select(e => e.ShortlistReadyAt - e.ClockStartedAt)),
            Figures(started.Select(e => e.ProposedAt - e.ClockStartedAt)),
            Figures(started.Select(e => e.PlacedAt - e.ClockStartedAt)),
            proposals.Count == 0 ? null : Math.Round(100.0 * proposals.Count(m => m.Status == "met") / proposals.Count, 1),
            started.Count(e => SlaClock.IsBreached(e, targets, now)),
            replacements,
            targets);
    }

    private static DurationFigures Figures(IEnumerable<TimeSpan?> durations)
    {
        var days = durations.OfType<TimeSpan>().Select(d => d.TotalDays).Order().ToList();
        return days.Count == 0 ? new DurationFigures(0, null, null) : new DurationFigures(days.Count, Math.Round(Percentile(days, 0.5), 2), Math.Round(Percentile(days, 0.9), 2));
    }

    /// <summary>Linear interpolation between closest ranks.</summary>
    private static double Percentile(List<double> sorted, double p)
    {
        var rank = p * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }
}

/// <summary>
/// Looks for milestones past their target and announces each breach once (SlaBreached, through the outbox),
/// so the dashboard and anyone else can react without polling; and refreshes the <see cref="SlaMonitor"/>'s
/// reading (gauges and the <c>sla</c> health check) from the database, so every replica reports the whole desk.
/// </summary>
public sealed class SlaWatch(IServiceScopeFactory scopes, TimeProvider timeProvider, IOptions<SlaOptions> options, SlaMonitor monitor, ILogger<SlaWatch> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ScanInterval, timeProvider);
        do
        {
            try
            {
                await ScanAsync(stoppingToken);
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                logger.LogWarning(failure, "SLA scan failed; retrying at the next interval");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Refreshes the <see cref="SlaMonitor"/>'s reading, then announces every breach not announced yet; returns how many were announced.</summary>
    public async Task<int> ScanAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EngagementsDbContext>();
        var now = timeProvider.GetUtcNowForStorage();
        List<Engagement> open;
        try
        {
            open = await db.Engagements
                .Where(e => e.ClockStartedAt != null && e.State != EngagementState.Completed && e.State != EngagementState.Cancelled)
                .ToListAsync(cancellationToken);
            // Before the announcements: what the on-call engineer sees does not wait on the outbox's writes.
            monitor.Record(await ReadStandingAsync(db, open, now, cancellationToken));
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            monitor.RecordFailure(failure.Message);
            throw;
        }

        var announced = 0;
        foreach (var engagement in open)
        {
            var breaches = SlaClock.Milestones(engagement, options.Value, now)
                .Where(m => m.Status is "breached" or "missed" && !engagement.BreachesPublished.Contains(m.Milestone))
                .ToList();
            if (breaches.Count == 0)
            {
                continue;
            }

            engagement.BreachesPublished = [.. engagement.BreachesPublished, .. breaches.Select(b => b.Milestone)];
            foreach (var breach in breaches)
            {
                db.Publish(new SlaBreached(engagement.Id, breach.Milestone, breach.DueAt, now), engagement.Id, now);
            }

            // One engagement at a time: one changed meanwhile does not hold back the others' announcements.
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                announced += breaches.Count;
            }
            catch (DbUpdateConcurrencyException)
            {
                // The next scan sees it afresh; the others' changes stay tracked.
                foreach (var entry in db.ChangeTracker.Entries().Where(e => e.Entity == engagement || e.State == EntityState.Added).ToList())
                {
                    entry.State = EntityState.Detached;
                }
            }
        }

        return announced;
    }

    private async Task<SlaStanding> ReadStandingAsync(EngagementsDbContext db, IReadOnlyList<Engagement> open, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (since, until) = SlaEndpoints.KpiPeriod(DateOnly.FromDateTime(now.UtcDateTime));
        var kpis = await SlaEndpoints.MeasureKpisAsync(db, options.Value, since, until, now, cancellationToken);
        var standing = SlaStanding.Read(open, kpis, options.Value, now);
        var clients = standing.ClientsToName;
        if (clients.Count == 0)
        {
            return standing;
        }

        var names = await db.Clients.AsNoTracking().Where(c => clients.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Name, cancellationToken);
        return standing.WithClientNames(names);
    }
}
