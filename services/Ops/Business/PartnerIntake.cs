using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;

namespace InterimPlatform.Ops.Business;

/// <summary>One partner's messages in one bucket, by receipt status (as Candidates answers it).</summary>
public sealed record IntakeTallyBucket(DateTimeOffset BucketStart, string PartnerId, long Accepted, long Duplicate, long Rejected, long Stale);

/// <summary>One partner's messages over the window, by receipt status.</summary>
public sealed record IntakeTallyTotal(string PartnerId, long Accepted, long Duplicate, long Rejected, long Stale)
{
    public long Total => Accepted + Duplicate + Rejected + Stale;

    /// <summary>The share of the partner's messages that were rejected, in percent; null without messages.</summary>
    public double? RejectedPercent => Total > 0 ? 100.0 * Rejected / Total : null;
}

/// <summary>Candidates' <c>GET /api/candidates/partner-intake/tallies</c> answer.</summary>
public sealed record IntakeTallies(DateTimeOffset From, DateTimeOffset To, int BucketMinutes, IReadOnlyList<IntakeTallyTotal> Partners, IReadOnlyList<IntakeTallyBucket> Buckets);

/// <summary>A named series of message counts, one point per bucket, and its sum.</summary>
public sealed record IntakeSeries(string Name, IReadOnlyList<IntakePoint> Points)
{
    public long Total => Points.Sum(p => p.Count);
}

public readonly record struct IntakePoint(DateTimeOffset Time, long Count);

/// <summary>
/// Partner ingestion over a window: counts per receipt status and per partner, bucket by bucket; each partner's
/// totals; the share rejected. <see cref="Problem"/> says why nothing could be read.
/// </summary>
public sealed record IntakeFigures(
    DateTimeOffset From,
    DateTimeOffset To,
    int BucketMinutes,
    IReadOnlyList<IntakeSeries> ByStatus,
    IReadOnlyList<IntakeSeries> ByPartner,
    IReadOnlyList<IntakeTallyTotal> Partners,
    string? Problem)
{
    public static readonly IntakeFigures Empty = new(default, default, 1, [], [], [], null);

    public long Total => ByStatus.Sum(s => s.Total);

    public bool HasData => Total > 0;

    /// <summary>The share of all partner messages that were rejected, in percent; null without messages.</summary>
    public double? RejectedPercent => Total > 0 ? 100.0 * (ByStatus.FirstOrDefault(s => s.Name == "rejected")?.Total ?? 0) / Total : null;
}

/// <summary>
/// Partner ingestion from Candidates' intake tallies (<c>GET /api/candidates/partner-intake/tallies</c>), read
/// through the gateway with the ops key: counted by the intake in the same transaction as each batch, kept in the
/// candidates database, so the figures survive restarts and need no telemetry store.
/// </summary>
public sealed class PartnerIntake(HttpClient http, IOptions<BusinessOptions> options)
{
    public const string TalliesPath = "api/candidates/partner-intake/tallies";
    public static readonly IReadOnlyList<string> Statuses = ["accepted", "duplicate", "rejected", "stale"];

    public async Task<IntakeFigures> ReadAsync(DateTimeOffset from, DateTimeOffset to, int bucketMinutes, CancellationToken cancellationToken)
    {
        var business = options.Value;
        if (business.GatewayUrl is null || string.IsNullOrEmpty(business.ApiKey))
        {
            return IntakeFigures.Empty with { Problem = "No gateway or no ops key is configured (services__gateway__http__0, Ops__OpsApiKey)." };
        }

        var query = string.Create(CultureInfo.InvariantCulture, $"{TalliesPath}?from={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}&to={Uri.EscapeDataString(to.ToString("O", CultureInfo.InvariantCulture))}&bucketMinutes={bucketMinutes}");
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(business.GatewayUrl.ToString().TrimEnd('/') + "/"), query));
            request.Headers.Add("X-Api-Key", business.ApiKey);
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return IntakeFigures.Empty with { Problem = $"{TalliesPath} answered {(int)response.StatusCode} {response.ReasonPhrase}." };
            }

            var tallies = await response.Content.ReadFromJsonAsync<IntakeTallies>(cancellationToken).ConfigureAwait(false);
            return tallies is null ? IntakeFigures.Empty with { Problem = $"{TalliesPath} answered nothing." } : Figures(tallies, [.. business.Partners]);
        }
        catch (HttpRequestException e)
        {
            return IntakeFigures.Empty with { Problem = $"Candidates could not be read through the gateway: {e.Message}" };
        }
    }

    /// <summary>
    /// Series with a point for every bucket of the window (a bucket Candidates did not list had no message: zero), by
    /// status and by partner: the configured partners first, in their order, then any other that sent something.
    /// </summary>
    public static IntakeFigures Figures(IntakeTallies tallies, IReadOnlyList<string> partners)
    {
        var step = TimeSpan.FromMinutes(Math.Max(1, tallies.BucketMinutes));
        var count = Math.Max(0, (int)Math.Ceiling((tallies.To - tallies.From) / step));
        var starts = Enumerable.Range(0, count).Select(i => tallies.From + step * i).ToList();
        IntakeSeries Series(string name, Func<IntakeTallyBucket, bool> which, Func<IntakeTallyBucket, long> value)
        {
            var sums = tallies.Buckets.Where(which).GroupBy(b => b.BucketStart).ToDictionary(g => g.Key, g => g.Sum(value));
            return new(name, starts.Select(s => new IntakePoint(s, sums.GetValueOrDefault(s))).ToList());
        }

        var byStatus = new List<IntakeSeries>
        {
            Series("accepted", _ => true, b => b.Accepted),
            Series("duplicate", _ => true, b => b.Duplicate),
            Series("rejected", _ => true, b => b.Rejected),
            Series("stale", _ => true, b => b.Stale),
        };
        var named = partners.Concat(tallies.Partners.Select(p => p.PartnerId).Where(p => !partners.Contains(p)).Order(StringComparer.Ordinal)).ToList();
        var byPartner = named.Select(p => Series(p, b => b.PartnerId == p, b => b.Accepted + b.Duplicate + b.Rejected + b.Stale)).ToList();
        var totals = named.Select(p => tallies.Partners.FirstOrDefault(t => t.PartnerId == p) ?? new IntakeTallyTotal(p, 0, 0, 0, 0)).ToList();
        return new(tallies.From, tallies.To, tallies.BucketMinutes, byStatus, byPartner, totals, null);
    }
}
