using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace InterimPlatform.Candidates.PartnerIntake;

/// <summary>When partner intake counts as unhealthy, from the <c>PartnerIntake</c> configuration section.</summary>
public sealed class PartnerIntakeHealthOptions
{
    public const string Section = "PartnerIntake";

    /// <summary>A partner whose share of rejected messages over the window is above this (0–1) degrades the check.</summary>
    public double RejectionRatioThreshold { get; set; } = 0.2;

    /// <summary>
    /// ... but only with at least this many messages in the window: two rejections out of three say little about a
    /// partner's feed.
    /// </summary>
    public long RejectionRatioMinimumMessages { get; set; } = 20;

    /// <summary>How often the tallies are read (the gauge and the health check read what was read last).</summary>
    public TimeSpan HealthRefreshInterval { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>One partner's share of rejected messages over the window.</summary>
/// <param name="Messages">All its messages in the window, whatever their receipt said.</param>
public sealed record PartnerRejectionRatio(string PartnerId, long Messages, long Rejected)
{
    /// <summary>Rejected / all; 0 for a partner that sent nothing.</summary>
    public double Ratio => Messages == 0 ? 0 : (double)Rejected / Messages;
}

/// <summary>The partner intake's health: the status and the sentence the health check shows.</summary>
/// <param name="AboveThreshold">The partners that made it degraded, most rejected first.</param>
public sealed record PartnerIntakeAssessment(HealthStatus Status, string Description, IReadOnlyList<PartnerRejectionRatio> AboveThreshold);

/// <summary>
/// Decides whether any partner's feed is going wrong: the pure part of the <c>partner-intake</c> health check, from
/// totals over <see cref="Window"/>.
/// </summary>
public static class PartnerIntakeHealth
{
    /// <summary>The span the ratios are taken over.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    public static PartnerRejectionRatio RatioOf(PartnerIntakeTotal total) =>
        new(total.PartnerId, total.Accepted + total.Duplicate + total.Rejected + total.Stale, total.Rejected);

    /// <summary>
    /// Degraded when some partner with at least <paramref name="minimumMessages"/> messages had more than
    /// <paramref name="threshold"/> of them rejected (exactly at the threshold is still healthy); healthy otherwise.
    /// </summary>
    public static PartnerIntakeAssessment Assess(IEnumerable<PartnerIntakeTotal> partners, double threshold, long minimumMessages)
    {
        var ratios = partners.Select(RatioOf).Where(r => r.Messages > 0).ToList();
        var above = ratios
            .Where(r => r.Messages >= minimumMessages && r.Ratio > threshold)
            .OrderByDescending(r => r.Ratio)
            .ThenBy(r => r.PartnerId, StringComparer.Ordinal)
            .ToList();
        if (above.Count == 0)
        {
            return new(HealthStatus.Healthy, $"{ratios.Count} {(ratios.Count == 1 ? "partner" : "partners")}, none above {Percent(threshold)} rejected over {Minutes(Window)} min", []);
        }

        var minutes = Minutes(Window);
        return new(
            HealthStatus.Degraded,
            string.Join("; ", above.Select(r => $"{r.PartnerId}: {Percent(r.Ratio)} of {r.Messages} messages rejected in the last {minutes} minutes (threshold {Percent(threshold)})")),
            above);
    }

    /// <summary>0.35 as "35%", 0.2051 as "20.5%": whole where whole, so a ratio just above the threshold does not read as equal to it.</summary>
    public static string Percent(double ratio) => (ratio * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string Minutes(TimeSpan span) => span.TotalMinutes.ToString("0", CultureInfo.InvariantCulture);
}
