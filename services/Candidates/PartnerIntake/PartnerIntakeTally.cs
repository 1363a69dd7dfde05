using InterimPlatform.Candidates.Data;
using InterimPlatform.Contracts.Partners;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Candidates.PartnerIntake;

/// <summary>
/// How many partner messages one intake worker processed for one partner in one minute, by receipt status. The
/// ops pages chart partner ingestion from these rows (<c>GET /api/candidates/partner-intake/tallies</c>), so the
/// figures survive restarts and need no telemetry store.
/// </summary>
/// <remarks>
/// A row belongs to one <see cref="Writer"/> (an intake worker instance): replicas, whose batches commit side by
/// side in repeatable-read transactions, never update the same row, so counting adds no serialization failures.
/// Readers add the writers up.
/// </remarks>
public sealed class PartnerIntakeTally
{
    public const int MaxPartnerIdLength = 100;
    public const int MaxWriterLength = 40;

    /// <summary>The start of the minute (UTC) the messages were processed in.</summary>
    public required DateTimeOffset BucketStart { get; init; }

    /// <summary>The partner network: the broker-validated sender (AMQP user_id, else the routing key), <c>unknown</c> without either.</summary>
    public required string PartnerId { get; init; }

    /// <summary>The intake worker instance that counted them.</summary>
    public required string Writer { get; init; }

    public long Accepted { get; set; }

    public long Duplicate { get; set; }

    public long Rejected { get; set; }

    public long Stale { get; set; }
}

/// <summary>Adds processed messages to <see cref="PartnerIntakeTally"/> rows.</summary>
public static class PartnerIntakeTallies
{
    public static readonly TimeSpan Bucket = TimeSpan.FromMinutes(1);

    /// <summary>The minute <paramref name="at"/> falls in.</summary>
    public static DateTimeOffset BucketOf(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % Bucket.Ticks), TimeSpan.Zero);
    }

    /// <summary>
    /// Adds one to the tally of each outcome's partner and status, in the minute of <paramref name="at"/>, as one
    /// upsert: inside the caller's transaction when one is open (the intake batch's), on its own otherwise.
    /// </summary>
    public static async Task AddAsync(CandidatesDbContext db, string writer, DateTimeOffset at, IEnumerable<IntakeOutcome> outcomes, CancellationToken cancellationToken)
    {
        var rows = outcomes
            .GroupBy(o => PartnerKey(o.Read.PartnerId))
            .Select(g => (
                Partner: g.Key,
                Accepted: g.LongCount(o => o.Status == ReceiptStatus.Accepted),
                Duplicate: g.LongCount(o => o.Status == ReceiptStatus.Duplicate),
                Rejected: g.LongCount(o => o.Status == ReceiptStatus.Rejected),
                Stale: g.LongCount(o => o.Status == ReceiptStatus.Stale)))
            .ToList();
        if (rows.Count == 0)
        {
            return;
        }

        var bucket = BucketOf(at);
        var partners = rows.Select(r => r.Partner).ToArray();
        var accepted = rows.Select(r => r.Accepted).ToArray();
        var duplicate = rows.Select(r => r.Duplicate).ToArray();
        var rejected = rows.Select(r => r.Rejected).ToArray();
        var stale = rows.Select(r => r.Stale).ToArray();
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO partner_intake_tallies (bucket_start, partner_id, writer, accepted, duplicate, rejected, stale)
            SELECT {bucket}, p, {writer}, a, d, r, s
            FROM unnest({partners}::text[], {accepted}::bigint[], {duplicate}::bigint[], {rejected}::bigint[], {stale}::bigint[]) AS t(p, a, d, r, s)
            ON CONFLICT (bucket_start, partner_id, writer) DO UPDATE SET
                accepted = partner_intake_tallies.accepted + excluded.accepted,
                duplicate = partner_intake_tallies.duplicate + excluded.duplicate,
                rejected = partner_intake_tallies.rejected + excluded.rejected,
                stale = partner_intake_tallies.stale + excluded.stale
            """,
            cancellationToken);
    }

    /// <summary>A new writer name for an intake worker instance.</summary>
    public static string NewWriter()
    {
        var writer = $"{Guid.NewGuid():N}-{Environment.ProcessId}";
        return writer.Length <= PartnerIntakeTally.MaxWriterLength ? writer : writer[..PartnerIntakeTally.MaxWriterLength];
    }

    private static string PartnerKey(string partnerId) =>
        string.IsNullOrEmpty(partnerId) ? "unknown" : partnerId.Length <= PartnerIntakeTally.MaxPartnerIdLength ? partnerId : partnerId[..PartnerIntakeTally.MaxPartnerIdLength];
}
