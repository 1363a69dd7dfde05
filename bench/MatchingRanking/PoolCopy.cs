using System.Text.Json;
using InterimPlatform.Matching.Ranking;
using Npgsql;
using NpgsqlTypes;

namespace InterimPlatform.Bench.MatchingRanking;

/// <summary>
/// Bulk-loads the pool with binary COPY: into Matching's own tables (<c>pool_candidates</c> as the event consumers
/// write it, <c>placements</c>), from which the index is rebuilt, and into the SQL ranking's typed tables. One
/// pass over the generated pool feeds five COPY streams on five connections, so the server loads them in parallel.
/// </summary>
internal sealed class PoolCopy : IAsyncDisposable
{
    private readonly List<NpgsqlConnection> _connections = [];
    private readonly List<NpgsqlBinaryImporter> _importers = [];

    private PoolCopy()
    {
    }

    private NpgsqlBinaryImporter Pool => _importers[0];
    private NpgsqlBinaryImporter Placements => _importers[1];
    private NpgsqlBinaryImporter Candidates => _importers[2];
    private NpgsqlBinaryImporter Languages => _importers[3];
    private NpgsqlBinaryImporter TrackRecord => _importers[4];

    public static async Task<PoolCopy> StartAsync(string connectionString, CancellationToken cancellationToken)
    {
        var copy = new PoolCopy();
        try
        {
            foreach (var statement in (string[])
            [
                "COPY pool_candidates (candidate_id, profile, profile_at, available_from, available_until, notice_days, days_per_week, availability_at, vetting_status, approved_until, vetting_at, registered_at, erased, updated_at) FROM STDIN (FORMAT BINARY)",
                "COPY placements (placement_id, engagement_id, candidate_id, first_day, last_day, ended_on, updated_at) FROM STDIN (FORMAT BINARY)",
                "COPY sql_candidates (candidate_id, country, remote_possible, willing_to_travel, willing_to_relocate, levels, disciplines, industries, skills, engagement_types, day_rate, currency, available_from, available_until, notice_days, days_per_week, vetting_status, approved_until) FROM STDIN (FORMAT BINARY)",
                "COPY sql_languages (candidate_id, code, level) FROM STDIN (FORMAT BINARY)",
                "COPY sql_track_record (candidate_id, sector, engagement_type, level, outcome, client_rating) FROM STDIN (FORMAT BINARY)",
            ])
            {
                var connection = new NpgsqlConnection(connectionString);
                copy._connections.Add(connection);
                await connection.OpenAsync(cancellationToken);
                copy._importers.Add(await connection.BeginBinaryImportAsync(statement, cancellationToken));
            }

            return copy;
        }
        catch
        {
            await copy.DisposeAsync();
            throw;
        }
    }

    public void Write(PoolMember member)
    {
        var (id, profile, availability, vetting) = (member.Id, member.Profile, member.Availability, member.Vetting);

        Pool.StartRow();
        Pool.Write(id, NpgsqlDbType.Uuid);
        Pool.Write(JsonSerializer.Serialize(profile, JsonSerializerOptions.Web), NpgsqlDbType.Jsonb);
        Pool.Write(member.RegisteredAt, NpgsqlDbType.TimestampTz);
        WriteNullable(Pool, availability.AvailableFrom, NpgsqlDbType.Date);
        WriteNullable(Pool, availability.AvailableUntil, NpgsqlDbType.Date);
        Pool.Write(availability.NoticeDays, NpgsqlDbType.Integer);
        Pool.Write(availability.DaysPerWeek, NpgsqlDbType.Integer);
        Pool.Write(member.RegisteredAt, NpgsqlDbType.TimestampTz);
        Pool.Write(vetting.Status, NpgsqlDbType.Varchar);
        WriteNullable(Pool, vetting.ApprovedUntil, NpgsqlDbType.Date);
        Pool.Write(member.RegisteredAt, NpgsqlDbType.TimestampTz);
        Pool.Write(member.RegisteredAt, NpgsqlDbType.TimestampTz);
        Pool.Write(false, NpgsqlDbType.Boolean);
        Pool.Write(member.RegisteredAt, NpgsqlDbType.TimestampTz);

        foreach (var placement in member.Placements)
        {
            Placements.StartRow();
            Placements.Write(placement.PlacementId, NpgsqlDbType.Uuid);
            Placements.Write(placement.EngagementId, NpgsqlDbType.Uuid);
            Placements.Write(placement.CandidateId, NpgsqlDbType.Uuid);
            WriteNullable(Placements, placement.FirstDay, NpgsqlDbType.Date);
            WriteNullable(Placements, placement.LastDay, NpgsqlDbType.Date);
            WriteNullable(Placements, placement.EndedOn, NpgsqlDbType.Date);
            Placements.Write(placement.UpdatedAt, NpgsqlDbType.TimestampTz);
        }

        // The typed tables hold free text as the ranking compares it, as a team's loader would normalise it.
        Candidates.StartRow();
        Candidates.Write(id, NpgsqlDbType.Uuid);
        Candidates.Write(profile.Country.Trim().ToUpperInvariant(), NpgsqlDbType.Text);
        Candidates.Write(profile.RemotePossible, NpgsqlDbType.Boolean);
        Candidates.Write(profile.WillingToTravel, NpgsqlDbType.Boolean);
        Candidates.Write(profile.WillingToRelocate, NpgsqlDbType.Boolean);
        Candidates.Write(profile.Levels.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        Candidates.Write(profile.Disciplines.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        Candidates.Write(SqlRanking.Normalised(profile.Industries), NpgsqlDbType.Array | NpgsqlDbType.Text);
        Candidates.Write(SqlRanking.Normalised(profile.Skills), NpgsqlDbType.Array | NpgsqlDbType.Text);
        Candidates.Write(profile.EngagementTypes.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        WriteNullable(Candidates, profile.DayRate, NpgsqlDbType.Numeric);
        WriteNullable(Candidates, profile.Currency?.Trim().ToUpperInvariant(), NpgsqlDbType.Text);
        WriteNullable(Candidates, availability.AvailableFrom, NpgsqlDbType.Date);
        WriteNullable(Candidates, availability.AvailableUntil, NpgsqlDbType.Date);
        Candidates.Write(availability.NoticeDays, NpgsqlDbType.Integer);
        Candidates.Write(availability.DaysPerWeek, NpgsqlDbType.Integer);
        Candidates.Write(vetting.Status, NpgsqlDbType.Text);
        WriteNullable(Candidates, vetting.ApprovedUntil, NpgsqlDbType.Date);

        foreach (var language in profile.Languages)
        {
            Languages.StartRow();
            Languages.Write(id, NpgsqlDbType.Uuid);
            Languages.Write(language.Code.Trim().ToLowerInvariant(), NpgsqlDbType.Text);
            Languages.Write(language.Level, NpgsqlDbType.Text);
        }

        foreach (var assignment in profile.TrackRecord)
        {
            TrackRecord.StartRow();
            TrackRecord.Write(id, NpgsqlDbType.Uuid);
            TrackRecord.Write(Terms.Normalise(assignment.Sector), NpgsqlDbType.Text);
            TrackRecord.Write(assignment.EngagementType, NpgsqlDbType.Text);
            TrackRecord.Write(assignment.Level, NpgsqlDbType.Text);
            TrackRecord.Write(assignment.Outcome, NpgsqlDbType.Text);
            WriteNullable(TrackRecord, assignment.ClientRating, NpgsqlDbType.Integer);
        }
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        foreach (var importer in _importers)
        {
            await importer.CompleteAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var importer in _importers)
        {
            await importer.DisposeAsync();
        }

        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }

    private static void WriteNullable<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type) where T : struct
    {
        if (value is { } present)
        {
            importer.Write(present, type);
        }
        else
        {
            importer.WriteNull();
        }
    }

    private static void WriteNullable(NpgsqlBinaryImporter importer, string? value, NpgsqlDbType type)
    {
        if (value is null)
        {
            importer.WriteNull();
        }
        else
        {
            importer.Write(value, type);
        }
    }
}
