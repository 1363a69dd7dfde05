using System.Globalization;
using InterimPlatform.Engagements.Desk;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace InterimPlatform.Engagements.Sla;

/// <summary>An open engagement past a milestone it has not reached: what the on-call engineer is warned about.</summary>
/// <param name="Milestone">The furthest milestone in breach: a late proposal says more than the late shortlist before it.</param>
/// <param name="ClientName">Filled in only for the engagements the health check names.</param>
public sealed record SlaBreach(Guid EngagementId, string Title, Guid ClientId, string Milestone, DateTimeOffset DueAt, string? ClientName = null);

/// <summary>
/// The 10-day promise across every open engagement at one moment, as the <c>sla</c> health check and the
/// <c>interimplatform.engagements.sla.*</c> gauges report it.
/// </summary>
/// <param name="AtRisk">Open engagements with a milestone due within the at-risk window: those <c>/sla/at-risk</c> lists.</param>
/// <param name="Breaches">
/// Open engagements with a milestone due and not reached (status <c>breached</c>), longest overdue first. A milestone
/// reached late (<c>missed</c>) is history the KPIs count, not something to act on now, so it is not here.
/// </param>
/// <param name="MedianDays">Median days from the clock's start to each milestone over the KPI period, as <c>/sla/kpis</c> reports them; null when none reached it.</param>
public sealed record SlaStanding(DateTimeOffset ReadAt, int AtRisk, IReadOnlyList<SlaBreach> Breaches, IReadOnlyDictionary<string, double?> MedianDays)
{
    /// <summary>How many breaches the health check names; the rest are counted ("and N more").</summary>
    public const int Named = 5;

    /// <summary>Long titles are cut so five names still fit a line of the dashboard.</summary>
    private const int TitleLength = 60;

    /// <param name="engagements">The engagements whose clock runs; closed ones are skipped.</param>
    /// <param name="kpis">The KPIs over the default period, from the same computation as <c>/sla/kpis</c>.</param>
    public static SlaStanding Read(IEnumerable<Engagement> engagements, SlaKpis kpis, SlaOptions targets, DateTimeOffset now)
    {
        var atRisk = 0;
        var breaches = new List<SlaBreach>();
        foreach (var engagement in engagements.Where(e => EngagementState.IsOpen(e.State)))
        {
            var milestones = SlaClock.Milestones(engagement, targets, now);
            if (milestones.Any(m => m.Status == "at-risk"))
            {
                atRisk++;
            }

            if (milestones.LastOrDefault(m => m.Status == "breached") is { } late)
            {
                breaches.Add(new SlaBreach(engagement.Id, engagement.Title, engagement.ClientId, late.Milestone, late.DueAt));
            }
        }

        var medians = new Dictionary<string, double?>
        {
            [SlaClock.ShortlistReady] = kpis.TimeToShortlist.MedianDays,
            [SlaClock.Proposed] = kpis.TimeToProposal.MedianDays,
            [SlaClock.Placed] = kpis.TimeToPlacement.MedianDays,
        };
        return new SlaStanding(now, atRisk, [.. breaches.OrderBy(b => b.DueAt).ThenBy(b => b.EngagementId)], medians);
    }

    /// <summary>The clients whose names the health check shows: those of the first <see cref="Named"/> breaches.</summary>
    public IReadOnlyList<Guid> ClientsToName => [.. Breaches.Take(Named).Select(b => b.ClientId).Distinct()];

    public SlaStanding WithClientNames(IReadOnlyDictionary<Guid, string> names) =>
        this with { Breaches = [.. Breaches.Select(b => names.TryGetValue(b.ClientId, out var name) ? b with { ClientName = name } : b)] };

    /// <summary>Healthy with the at-risk count, or Degraded naming the engagements in breach (the first few).</summary>
    /// <param name="promisedDays">The proposal target: the promise the description names.</param>
    public HealthCheckResult ToHealth(int promisedDays)
    {
        var data = new Dictionary<string, object>
        {
            ["atRisk"] = AtRisk,
            ["breached"] = Breaches.Count,
            ["readAt"] = ReadAt.ToString("O", CultureInfo.InvariantCulture),
        };
        if (Breaches.Count == 0)
        {
            return HealthCheckResult.Healthy($"no engagement in breach; {AtRisk} at risk", data);
        }

        var named = string.Join(", ", Breaches.Take(Named).Select(Describe));
        var more = Breaches.Count > Named ? $" and {Breaches.Count - Named} more" : "";
        var engagements = Breaches.Count == 1 ? "engagement" : "engagements";
        return HealthCheckResult.Degraded(
            $"{Breaches.Count} {engagements} in breach of the {promisedDays}-day promise: {named}{more}; {AtRisk} at risk",
            data: data);
    }

    private static string Describe(SlaBreach breach)
    {
        var title = breach.Title.Length > TitleLength ? breach.Title[..(TitleLength - 1)] + "…" : breach.Title;
        var who = breach.ClientName is { } client ? $"{title} at {client}" : title;
        var what = breach.Milestone switch
        {
            SlaClock.ShortlistReady => "shortlist",
            SlaClock.Proposed => "proposal",
            SlaClock.Placed => "placement",
            _ => breach.Milestone,
        };
        return $"{who} ({breach.EngagementId}) {what} due {breach.DueAt.UtcDateTime:yyyy-MM-dd}";
    }
}
