using InterimPlatform.Candidates.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace InterimPlatform.Candidates.PartnerIntake;

/// <summary>Partner messages processed in one bucket, by receipt status (all intake workers added up).</summary>
/// <param name="BucketStart">The bucket's start; it covers <c>bucketMinutes</c> from there.</param>
public sealed record PartnerIntakeBucket(DateTimeOffset BucketStart, string PartnerId, long Accepted, long Duplicate, long Rejected, long Stale);

/// <summary>One partner's messages over the whole window, by receipt status.</summary>
public sealed record PartnerIntakeTotal(string PartnerId, long Accepted, long Duplicate, long Rejected, long Stale);

/// <summary>Partner ingestion over a window: totals per partner, and per partner and bucket.</summary>
/// <param name="From">The window's start (inclusive): as asked, or an hour before <paramref name="To"/>, cut down to the whole minute.</param>
/// <param name="To">The window's end (exclusive): as asked, or now, rounded up to the whole minute.</param>
/// <param name="BucketMinutes">The length of each bucket; buckets start at <paramref name="From"/>.</param>
/// <param name="Partners">Each partner that sent anything in the window, by id.</param>
/// <param name="Buckets">Only buckets in which the partner sent anything; a bucket that is not listed had none.</param>
public sealed record PartnerIntakeTallyView(
    DateTimeOffset From,
    DateTimeOffset To,
    int BucketMinutes,
    IReadOnlyList<PartnerIntakeTotal> Partners,
    IReadOnlyList<PartnerIntakeBucket> Buckets);

public static class TallyEndpoints
{
    public const int MaxBuckets = 10_000;
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(93);

    public static IEndpointRouteBuilder MapPartnerIntakeTallies(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/candidates/partner-intake").WithTags("Partner intake")
            .MapGet("/tallies", GetAsync)
            .WithName("GetPartnerIntakeTallies")
            .WithSummary("Partner messages processed per partner and time bucket, by receipt status (accepted, duplicate, rejected, stale)")
            .WithDescription(
                "Counted in the same transaction as each intake batch, one row per partner, minute and intake worker. " +
                "Both from (inclusive, default an hour before to) and to (exclusive, default now) are ISO 8601 date-times; from is cut down " +
                "and to rounded up to the whole minute. bucketMinutes (1–1440, default 1) adds minutes up into longer buckets " +
                "starting at from. At most 93 days and 10,000 buckets per request. For the ops and admin roles.");
        return app;
    }

    internal static async Task<Results<Ok<PartnerIntakeTallyView>, ValidationProblem>> GetAsync(
        CandidatesDbContext db,
        TimeProvider time,
        CancellationToken cancellationToken,
        DateTimeOffset? from = null,
        DateTimeOffset? to = null,
        int? bucketMinutes = null)
    {
        var earliest = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var latest = new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);
        if (from < earliest || from > latest)
        {
            return Invalid("from", "A date-time between 2000-01-01 and 2100-01-01.");
        }

        if (to < earliest || to > latest)
        {
            return Invalid("to", "A date-time between 2000-01-01 and 2100-01-01.");
        }

        var minutes = bucketMinutes ?? 1;
        if (minutes is < 1 or > 1440)
        {
            return Invalid("bucketMinutes", "Between 1 and 1440.");
        }

        var end = RoundUp(to ?? time.GetUtcNow());
        var start = from is { } f ? PartnerIntakeTallies.BucketOf(f) : end - TimeSpan.FromHours(1);
        if (start >= end)
        {
            return Invalid("from", "from must be before to.");
        }

        if (end - start > MaxWindow)
        {
            return Invalid("from", $"At most {MaxWindow.TotalDays:0} days between from and to.");
        }

        var bucket = TimeSpan.FromMinutes(minutes);
        if ((end - start) / bucket > MaxBuckets)
        {
            return Invalid("bucketMinutes", $"At most {MaxBuckets} buckets: choose longer buckets or a shorter window.");
        }

        var buckets = await ReadBucketsAsync(db, start, end, bucket, cancellationToken);
        var partners = buckets
            .GroupBy(b => b.PartnerId)
            .Select(g => new PartnerIntakeTotal(g.Key, g.Sum(b => b.Accepted), g.Sum(b => b.Duplicate), g.Sum(b => b.Rejected), g.Sum(b => b.Stale)))
            .OrderBy(p => p.PartnerId, StringComparer.Ordinal)
            .ToList();
        return TypedResults.Ok(new PartnerIntakeTallyView(start, end, minutes, partners, buckets));
    }

    /// <summary>The minutes of the window added up per partner and bucket by PostgreSQL (all writers, <c>date_bin</c> from the window's start).</summary>
    private static async Task<List<PartnerIntakeBucket>> ReadBucketsAsync(CandidatesDbContext db, DateTimeOffset start, DateTimeOffset end, TimeSpan bucket, CancellationToken cancellationToken)
    {
        const string Sql = """
            SELECT date_bin(@bucket, bucket_start, @start), partner_id, sum(accepted)::bigint, sum(duplicate)::bigint, sum(rejected)::bigint, sum(stale)::bigint
            FROM partner_intake_tallies
            WHERE bucket_start >= @start AND bucket_start < @end
            GROUP BY 1, 2
            ORDER BY 1, 2
            """;
        var buckets = new List<PartnerIntakeBucket>();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand(Sql, (NpgsqlConnection)db.Database.GetDbConnection());
            command.Parameters.AddWithValue("bucket", bucket);
            command.Parameters.AddWithValue("start", start);
            command.Parameters.AddWithValue("end", end);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                buckets.Add(new PartnerIntakeBucket(
                    reader.GetFieldValue<DateTimeOffset>(0),
                    reader.GetString(1),
                    reader.GetInt64(2),
                    reader.GetInt64(3),
                    reader.GetInt64(4),
                    reader.GetInt64(5)));
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        return buckets;
    }

    /// <summary>The end of the minute <paramref name="at"/> falls in, or <paramref name="at"/> on a whole minute.</summary>
    private static DateTimeOffset RoundUp(DateTimeOffset at)
    {
        var minute = PartnerIntakeTallies.BucketOf(at);
        return minute == at ? minute : minute + PartnerIntakeTallies.Bucket;
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The window asked for is not valid.");
}
