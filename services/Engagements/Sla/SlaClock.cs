using InterimPlatform.Engagements.Desk;

namespace InterimPlatform.Engagements.Sla;

/// <summary>The service-level targets, from the <c>Engagements:Sla</c> configuration section (days from the start of intake).</summary>
public sealed class SlaOptions
{
    public int ShortlistReadyDays { get; set; } = 5;

    /// <summary>The seeds' promise: the right leadership solution within 10 days.</summary>
    public int ProposedDays { get; set; } = 10;

    public int PlacedDays { get; set; } = 20;

    /// <summary>An open milestone due within this many days is at risk.</summary>
    public double AtRiskDays { get; set; } = 2;

    /// <summary>How often breaches are looked for (and announced).</summary>
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Where a milestone stands against its target.</summary>
/// <param name="Status">met, missed (reached late), breached (due and not reached), at-risk, on-track, or stopped (the engagement closed first).</param>
public sealed record MilestoneStatus(string Milestone, DateTimeOffset DueAt, DateTimeOffset? ReachedAt, string Status, double? DaysLeft);

/// <summary>The 10-day promise, per engagement: each milestone's due time and status, from the SLA clock.</summary>
public static class SlaClock
{
    public const string ShortlistReady = "shortlist-ready";
    public const string Proposed = "proposed";
    public const string Placed = "placed";

    public static IReadOnlyList<MilestoneStatus> Milestones(Engagement e, SlaOptions targets, DateTimeOffset now)
    {
        if (e.ClockStartedAt is not { } start)
        {
            return [];
        }

        return
        [
            Status(ShortlistReady, start.AddDays(targets.ShortlistReadyDays), e.ShortlistReadyAt, e.State, targets, now),
            Status(Proposed, start.AddDays(targets.ProposedDays), e.ProposedAt, e.State, targets, now),
            Status(Placed, start.AddDays(targets.PlacedDays), e.PlacedAt, e.State, targets, now),
        ];
    }

    public static bool IsAtRisk(Engagement e, SlaOptions targets, DateTimeOffset now) => Milestones(e, targets, now).Any(m => m.Status == "at-risk");

    public static bool IsBreached(Engagement e, SlaOptions targets, DateTimeOffset now) => Milestones(e, targets, now).Any(m => m.Status is "breached" or "missed");

    private static MilestoneStatus Status(string milestone, DateTimeOffset due, DateTimeOffset? reached, string state, SlaOptions targets, DateTimeOffset now)
    {
        var daysLeft = Math.Round((due - now).TotalDays, 2);
        var status = reached is { } at ? (at <= due ? "met" : "missed")
            : !EngagementState.IsOpen(state) ? "stopped"
            : now > due ? "breached"
            : daysLeft <= targets.AtRiskDays ? "at-risk"
            : "on-track";
        return new MilestoneStatus(milestone, due, reached, status, reached is null && EngagementState.IsOpen(state) ? daysLeft : null);
    }
}
