using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using static InterimPlatform.Messaging.BulkWrites;

namespace InterimPlatform.Matching.Pool;

/// <summary>
/// New pool rows by binary COPY, in the caller's transaction: a partner's push adds hundreds per batch, where EF Core
/// would send an INSERT each and copy every profile through JSON twice to track it.
/// </summary>
internal static class PoolCandidateCopy
{
    public static async Task CopyAsync(NpgsqlConnection connection, IReadOnlyCollection<PoolCandidate> candidates, CancellationToken cancellationToken)
    {
        if (candidates.Count == 0)
        {
            return;
        }

        await using var writer = await connection.BeginBinaryImportAsync(
            """
            COPY pool_candidates (candidate_id, profile, profile_at, available_from, available_until, notice_days, days_per_week,
                availability_at, vetting_status, approved_until, vetting_at, registered_at, erased, updated_at) FROM STDIN (FORMAT BINARY)
            """,
            cancellationToken);
        foreach (var c in candidates)
        {
            await writer.StartRowAsync(cancellationToken);
            await writer.WriteAsync(c.CandidateId, NpgsqlDbType.Uuid, cancellationToken);
            // As the column's EF Core mapping stores it (JsonColumns.AsJson).
            await WriteNullableAsync(writer, c.Profile is null ? null : JsonSerializer.Serialize(c.Profile, JsonSerializerOptions.Web), NpgsqlDbType.Jsonb, cancellationToken);
            await WriteNullableAsync(writer, c.ProfileAt, NpgsqlDbType.TimestampTz, cancellationToken);
            await WriteNullableAsync(writer, c.AvailableFrom, NpgsqlDbType.Date, cancellationToken);
            await WriteNullableAsync(writer, c.AvailableUntil, NpgsqlDbType.Date, cancellationToken);
            await writer.WriteAsync(c.NoticeDays, NpgsqlDbType.Integer, cancellationToken);
            await writer.WriteAsync(c.DaysPerWeek, NpgsqlDbType.Integer, cancellationToken);
            await WriteNullableAsync(writer, c.AvailabilityAt, NpgsqlDbType.TimestampTz, cancellationToken);
            await writer.WriteAsync(c.VettingStatus, NpgsqlDbType.Varchar, cancellationToken);
            await WriteNullableAsync(writer, c.ApprovedUntil, NpgsqlDbType.Date, cancellationToken);
            await WriteNullableAsync(writer, c.VettingAt, NpgsqlDbType.TimestampTz, cancellationToken);
            await WriteNullableAsync(writer, c.RegisteredAt, NpgsqlDbType.TimestampTz, cancellationToken);
            await writer.WriteAsync(c.Erased, NpgsqlDbType.Boolean, cancellationToken);
            await writer.WriteAsync(c.UpdatedAt, NpgsqlDbType.TimestampTz, cancellationToken);
        }

        await writer.CompleteAsync(cancellationToken);
    }
}
