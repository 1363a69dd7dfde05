using System.Globalization;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace InterimPlatform.AppHost.Operations;

/// <summary>
/// The 10-day promise on the Engagements resource: its health (from its <c>/health</c>) names the engagements in
/// breach, its metrics are on the Metrics page, and this command and link show the engagements in breach and at risk.
/// </summary>
public static class EngagementSla
{
    public const string ShowCommand = "sla";

    public static IResourceBuilder<ExecutableResource> WithSlaCommand(this IResourceBuilder<ExecutableResource> engagements, GatewayOperations gateway)
    {
        engagements.WithUrl(new Uri(gateway.Gateway, "api-reference/engagements#tag/sla-and-kpis/GET/api/engagements/sla/at-risk").ToString(), "At-risk engagements (API reference)");
        return engagements.WithCommand(ShowCommand, "10-day promise", context => ShowAsync(gateway, context.CancellationToken), new CommandOptions
        {
            Description = "Engagements in breach of the 10-day promise and at risk of it, with each milestone's due date.",
            IconName = "CalendarClock",
            UpdateState = c => c.ResourceSnapshot.State?.Text == KnownResourceStates.Running ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
        });
    }

    private static async Task<ExecuteCommandResult> ShowAsync(GatewayOperations gateway, CancellationToken cancellationToken)
    {
        var breached = await gateway.GetAsync<List<SlaEntry>>("api/engagements/sla/breached", cancellationToken);
        var atRisk = await gateway.GetAsync<List<SlaEntry>>("api/engagements/sla/at-risk", cancellationToken);
        if (!breached.Succeeded || !atRisk.Succeeded)
        {
            return CommandResults.Failure($"The SLA lists could not be read: {breached.Problem ?? atRisk.Problem}");
        }

        var inBreach = (breached.Value ?? []).Where(e => e.Milestones.Any(m => m.Status == "breached")).ToList();
        var risky = (atRisk.Value ?? []).Where(e => inBreach.All(b => b.EngagementId != e.EngagementId)).ToList();
        var summary = $"{inBreach.Count} in breach, {risky.Count} at risk.";
        return CommandResults.Success(summary, Markdown(inBreach, risky), CommandResultFormat.Markdown, displayImmediately: true);
    }

    public static string Markdown(IReadOnlyList<SlaEntry> inBreach, IReadOnlyList<SlaEntry> atRisk)
    {
        var text = new StringBuilder();
        Section(text, "In breach", inBreach);
        Section(text, "At risk", atRisk);
        return text.ToString();
    }

    private static void Section(StringBuilder text, string title, IReadOnlyList<SlaEntry> entries)
    {
        text.Append(CultureInfo.InvariantCulture, $"### {title} ({entries.Count})\n\n");
        if (entries.Count == 0)
        {
            text.Append("None.\n\n");
            return;
        }

        text.Append("| Engagement | State | Clock started | Milestones |\n|---|---|---|---|\n");
        foreach (var e in entries)
        {
            var milestones = string.Join("; ", e.Milestones.Where(m => m.Status is not ("met" or "stopped"))
                .Select(m => $"{m.Milestone} {m.Status}, due {m.DueAt.UtcDateTime:yyyy-MM-dd}"));
            text.Append(CultureInfo.InvariantCulture,
                $"| {e.Title.Replace("|", "\\|", StringComparison.Ordinal)} (`{e.EngagementId}`) | {e.State} | {e.ClockStartedAt.UtcDateTime:yyyy-MM-dd} | {milestones} |\n");
        }

        text.Append('\n');
    }
}

/// <summary>An engagement on Engagements' SLA lists.</summary>
public sealed record SlaEntry(Guid EngagementId, string Title, string State, DateTimeOffset ClockStartedAt, IReadOnlyList<SlaMilestone> Milestones);

/// <summary>A milestone's due time and status.</summary>
public sealed record SlaMilestone(string Milestone, DateTimeOffset DueAt, DateTimeOffset? ReachedAt, string Status, double? DaysLeft);
