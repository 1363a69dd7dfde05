using System.Net.Http.Json;
using Microsoft.Extensions.Options;

namespace InterimPlatform.Ops.Business;

/// <summary>A milestone of an engagement's SLA clock, as Engagements reports it.</summary>
/// <param name="Status">met, missed, breached, at-risk, on-track or stopped.</param>
public sealed record SlaMilestone(string Milestone, DateTimeOffset DueAt, DateTimeOffset? ReachedAt, string Status, double? DaysLeft);

public sealed record SlaEngagement(Guid EngagementId, string Title, string State, DateTimeOffset ClockStartedAt, IReadOnlyList<SlaMilestone> Milestones);

public sealed record SlaDurations(int Count, double? MedianDays, double? P90Days);

public sealed record SlaTargets(int ShortlistReadyDays, int ProposedDays, int PlacedDays, double AtRiskDays);

public sealed record SlaKpiFigures(
    DateOnly From,
    DateOnly To,
    int Engagements,
    SlaDurations TimeToShortlist,
    SlaDurations TimeToProposal,
    SlaDurations TimeToPlacement,
    double? SlaCompliancePercent,
    int Breaches,
    int Replacements,
    SlaTargets Targets);

/// <summary>One read of the desk's SLA state: what is at risk, what breached, the KPIs; or why it could not be read.</summary>
public sealed record SlaSnapshot(
    IReadOnlyList<SlaEngagement> AtRisk,
    IReadOnlyList<SlaEngagement> Breached,
    SlaKpiFigures? Kpis,
    string? Problem);

/// <summary>
/// Reads Engagements' SLA endpoints (<c>/api/engagements/sla/at-risk</c>, <c>/breached</c>, <c>/kpis</c>) through
/// the gateway with the ops key: the ops pages never read a service's database.
/// </summary>
public sealed class EngagementSla(HttpClient http, IOptions<BusinessOptions> options)
{
    public async Task<SlaSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        if (options.Value.GatewayUrl is null || string.IsNullOrEmpty(options.Value.ApiKey))
        {
            return new([], [], null, "No gateway or no ops key is configured (services__gateway__http__0, Ops__OpsApiKey).");
        }

        try
        {
            var atRisk = GetAsync<List<SlaEngagement>>("api/engagements/sla/at-risk", cancellationToken);
            var breached = GetAsync<List<SlaEngagement>>("api/engagements/sla/breached", cancellationToken);
            var kpis = GetAsync<SlaKpiFigures>("api/engagements/sla/kpis", cancellationToken);
            return new(await atRisk.ConfigureAwait(false) ?? [], await breached.ConfigureAwait(false) ?? [], await kpis.ConfigureAwait(false), null);
        }
        catch (HttpRequestException e)
        {
            return new([], [], null, $"Engagements could not be read through the gateway: {e.Message}");
        }
    }

    private async Task<T?> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(options.Value.GatewayUrl!.ToString().TrimEnd('/') + "/"), path));
        request.Headers.Add("X-Api-Key", options.Value.ApiKey);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{path} answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }

        return await response.Content.ReadFromJsonAsync<T>(cancellationToken).ConfigureAwait(false);
    }
}
