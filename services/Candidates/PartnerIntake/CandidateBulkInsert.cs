using System.Text.Json;
using InterimPlatform.Candidates.Profiles;
using InterimPlatform.Candidates.Vetting;
using Npgsql;
using NpgsqlTypes;
using static InterimPlatform.Messaging.BulkWrites;

namespace InterimPlatform.Candidates.PartnerIntake;

/// <summary>Binary COPY of new candidates and their first vetting step: thousands of rows a second where EF Core manages hundreds.</summary>
internal static class CandidateBulkInsert
{
    public static async Task CopyAsync(NpgsqlConnection connection, IReadOnlyCollection<Candidate> candidates, IReadOnlyCollection<VettingEvent> vetting, CancellationToken cancellationToken)
    {
        if (candidates.Count > 0)
        {
            await using var writer = await connection.BeginBinaryImportAsync(
                """
                COPY candidates (id, full_name, email, phone, country, city, willing_to_travel, willing_to_relocate, remote_possible,
                    languages, language_codes, levels, disciplines, industries, skills, engagement_types, track_record, day_rate, currency,
                    available_from, available_until, notice_days, days_per_week, summary, vetting_status, approved_until, lawful_basis,
                    lawful_basis_recorded_on, source, partner_id, partner_person_id, partner_updated_at, partner_notice_sent_on,
                    retention_review_on, registered_at, updated_at) FROM STDIN (FORMAT BINARY)
                """,
                cancellationToken);
            foreach (var c in candidates)
            {
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(c.Id, NpgsqlDbType.Uuid, cancellationToken);
                await writer.WriteAsync(c.FullName, NpgsqlDbType.Varchar, cancellationToken);
                await WriteNullableAsync(writer, c.Email, NpgsqlDbType.Varchar, cancellationToken);
                await WriteNullableAsync(writer, c.Phone, NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(c.Country, NpgsqlDbType.Char, cancellationToken);
                await WriteNullableAsync(writer, c.City, NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(c.WillingToTravel, NpgsqlDbType.Boolean, cancellationToken);
                await writer.WriteAsync(c.WillingToRelocate, NpgsqlDbType.Boolean, cancellationToken);
                await writer.WriteAsync(c.RemotePossible, NpgsqlDbType.Boolean, cancellationToken);
                // The owned JSON collections, as EF Core maps them (property names as in the classes).
                await writer.WriteAsync(JsonSerializer.Serialize(c.Languages), NpgsqlDbType.Jsonb, cancellationToken);
                await writer.WriteAsync(c.LanguageCodes, NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(c.Levels, NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(c.Disciplines, NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(c.Industries, NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(c.Skills, NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(c.EngagementTypes, NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(JsonSerializer.Serialize(c.TrackRecord), NpgsqlDbType.Jsonb, cancellationToken);
                await WriteNullableAsync(writer, c.DayRate, NpgsqlDbType.Numeric, cancellationToken);
                await WriteNullableAsync(writer, c.Currency, NpgsqlDbType.Char, cancellationToken);
                await WriteNullableAsync(writer, c.AvailableFrom, NpgsqlDbType.Date, cancellationToken);
                await WriteNullableAsync(writer, c.AvailableUntil, NpgsqlDbType.Date, cancellationToken);
                await writer.WriteAsync(c.NoticeDays, NpgsqlDbType.Integer, cancellationToken);
                await writer.WriteAsync(c.DaysPerWeek, NpgsqlDbType.Integer, cancellationToken);
                await WriteNullableAsync(writer, c.Summary, NpgsqlDbType.Varchar, cancellationToken);
                await writer.WriteAsync(c.VettingStatus, NpgsqlDbType.Varchar, cancellationToken);
                await WriteNullableAsync(writer, c.ApprovedUntil, NpgsqlDbType.Date, cancellationToken);
                await writer.WriteAsync(c.LawfulBasis, NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(c.LawfulBasisRecordedOn, NpgsqlDbType.Date, cancellationToken);
                await writer.WriteAsync(c.Source, NpgsqlDbType.Text, cancellationToken);
                await WriteNullableAsync(writer, c.PartnerId, NpgsqlDbType.Text, cancellationToken);
                await WriteNullableAsync(writer, c.PartnerPersonId, NpgsqlDbType.Text, cancellationToken);
                await WriteNullableAsync(writer, c.PartnerUpdatedAt, NpgsqlDbType.TimestampTz, cancellationToken);
                await WriteNullableAsync(writer, c.PartnerNoticeSentOn, NpgsqlDbType.Date, cancellationToken);
                await writer.WriteAsync(c.RetentionReviewOn, NpgsqlDbType.Date, cancellationToken);
                await writer.WriteAsync(c.RegisteredAt, NpgsqlDbType.TimestampTz, cancellationToken);
                await writer.WriteAsync(c.UpdatedAt, NpgsqlDbType.TimestampTz, cancellationToken);
            }

            await writer.CompleteAsync(cancellationToken);
        }

        if (vetting.Count > 0)
        {
            await using var writer = await connection.BeginBinaryImportAsync(
                "COPY vetting_events (candidate_id, \"from\", \"to\", at, by, reason) FROM STDIN (FORMAT BINARY)", cancellationToken);
            foreach (var v in vetting)
            {
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(v.CandidateId, NpgsqlDbType.Uuid, cancellationToken);
                await writer.WriteAsync(v.From, NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(v.To, NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(v.At, NpgsqlDbType.TimestampTz, cancellationToken);
                await writer.WriteAsync(v.By, NpgsqlDbType.Text, cancellationToken);
                await WriteNullableAsync(writer, v.Reason, NpgsqlDbType.Text, cancellationToken);
            }

            await writer.CompleteAsync(cancellationToken);
        }
    }
}
