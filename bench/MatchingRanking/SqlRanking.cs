using InterimPlatform.Matching.Ranking;
using Npgsql;
using NpgsqlTypes;

namespace InterimPlatform.Bench.MatchingRanking;

/// <summary>One row of the SQL ranking: the candidate, their flags, each criterion's points (null where it does not apply) and the total.</summary>
internal sealed record SqlRanked(Guid CandidateId, bool InVetting, bool RevettingDue, int?[] Points, long Total);

/// <summary>
/// The obvious alternative to the index: the pool in typed tables (arrays for the lists, child tables for
/// languages and the track record, the usual indexes), ranked by one SQL query per brief that applies the hard
/// filters and computes every criterion of docs/matching.md in integers, the weighted total, and the top N.
/// Placements are Matching's own <c>placements</c> table in the same database.
/// </summary>
internal static class SqlRanking
{
    /// <summary>The criteria in the order the query returns them, named as the index's explanations name them.</summary>
    public static readonly string[] Criteria =
        ["availability", "level", "discipline", "industry", "skills", "engagement-type", "location", "languages", "day-rate", "track-record"];

    public const string Schema = """
        CREATE TABLE sql_candidates (
            candidate_id uuid NOT NULL,
            country text NOT NULL,
            remote_possible boolean NOT NULL,
            willing_to_travel boolean NOT NULL,
            willing_to_relocate boolean NOT NULL,
            levels text[] NOT NULL,
            disciplines text[] NOT NULL,
            industries text[] NOT NULL,
            skills text[] NOT NULL,
            engagement_types text[] NOT NULL,
            day_rate numeric,
            currency text,
            available_from date,
            available_until date,
            notice_days integer NOT NULL,
            days_per_week integer NOT NULL,
            vetting_status text NOT NULL,
            approved_until date);
        CREATE TABLE sql_languages (candidate_id uuid NOT NULL, code text NOT NULL, level text NOT NULL);
        CREATE TABLE sql_track_record (
            candidate_id uuid NOT NULL,
            sector text NOT NULL,
            engagement_type text NOT NULL,
            level text NOT NULL,
            outcome text NOT NULL,
            client_rating integer);
        CREATE TABLE sql_exchange_rates (currency text PRIMARY KEY, eur_micros bigint NOT NULL);
        """;

    /// <summary>Built after the bulk load, which is faster than maintaining them row by row.</summary>
    public const string Indexes = """
        ALTER TABLE sql_candidates ADD PRIMARY KEY (candidate_id);
        CREATE INDEX ix_sql_candidates_skills ON sql_candidates USING gin (skills);
        CREATE INDEX ix_sql_candidates_vetting_status ON sql_candidates (vetting_status);
        CREATE INDEX ix_sql_languages_candidate_id_code ON sql_languages (candidate_id, code);
        CREATE INDEX ix_sql_track_record_candidate_id ON sql_track_record (candidate_id);
        """;

    /// <summary>
    /// One brief's ranking. Free text of the brief arrives normalised as the engine normalises it (skills and
    /// industries trimmed and lower-case, country and currency upper-case); vocabulary values arrive as given.
    /// </summary>
    public const string Query = """
        WITH budget AS (
            SELECT round(@budget_max * 100)::bigint AS max_cents,
                   (SELECT eur_micros FROM sql_exchange_rates WHERE currency = @budget_currency) AS eur_micros),
        scored AS (
            SELECT c.candidate_id,
                   c.vetting_status <> 'approved' AS in_vetting,
                   coalesce(c.vetting_status = 'approved' AND c.approved_until < @today, false) AS revetting_due,
                   timing.points * coverage.points / 1000 * share.points / 1000 AS availability,
                   coalesce((SELECT max(CASE array_position(ARRAY['project-lead', 'middle-management', 'senior-management', 'executive'], l)
                                             - array_position(ARRAY['project-lead', 'middle-management', 'senior-management', 'executive'], @level)
                                         WHEN -1 THEN 300 WHEN 0 THEN 1000 WHEN 1 THEN 1000 WHEN 2 THEN 700 WHEN 3 THEN 500 ELSE 0 END)
                             FROM unnest(c.levels) AS l), 0) AS level,
                   CASE WHEN @discipline = ANY (c.disciplines) THEN 1000 ELSE 0 END AS discipline,
                   CASE WHEN @industry IS NULL THEN NULL
                        WHEN @industry = ANY (c.industries) THEN 1000
                        WHEN record.in_industry THEN 700
                        ELSE 0 END AS industry,
                   CASE WHEN cardinality(@nice_to_have_skills) = 0 THEN NULL
                        ELSE (SELECT count(*) FROM unnest(@nice_to_have_skills) AS s WHERE s = ANY (c.skills))::integer * 1000
                             / cardinality(@nice_to_have_skills) END AS skills,
                   CASE WHEN record.of_type >= 2 THEN 1000
                        WHEN record.of_type = 1 THEN 800
                        WHEN @engagement_type = ANY (c.engagement_types) THEN 500
                        ELSE 0 END AS engagement_type,
                   CASE WHEN @country IS NULL THEN NULL
                        WHEN c.country = @country THEN 1000
                        WHEN @remote_possible AND c.remote_possible THEN 800
                        WHEN c.willing_to_relocate THEN 600
                        WHEN c.willing_to_travel THEN 400
                        ELSE 0 END AS location,
                   CASE WHEN cardinality(@language_codes) = 0 THEN NULL
                        ELSE (SELECT sum(CASE coalesce((SELECT max(array_position(ARRAY['basic', 'professional', 'fluent', 'native'], l.level))
                                                        FROM sql_languages l
                                                        WHERE l.candidate_id = c.candidate_id AND l.code = wanted.code), 0)
                                             WHEN 4 THEN 1000 WHEN 3 THEN 900 WHEN 2 THEN 700 WHEN 1 THEN 400 ELSE 0 END)
                              FROM unnest(@language_codes) AS wanted(code))::integer / cardinality(@language_codes) END AS languages,
                   CASE WHEN budget.max_cents IS NULL THEN NULL
                        WHEN rate.cents IS NULL THEN 500
                        WHEN rate.cents <= budget.max_cents THEN 1000
                        WHEN 2 * rate.cents >= 3 * budget.max_cents THEN 0
                        ELSE ((3 * budget.max_cents - 2 * rate.cents) * 1000 / budget.max_cents)::integer END AS day_rate,
                   ((coalesce(record.relevant[1], 0) + coalesce(record.relevant[2], 0) + coalesce(record.relevant[3], 0)) / 3)::integer AS track_record
            FROM sql_candidates c
            CROSS JOIN budget
            CROSS JOIN LATERAL (SELECT greatest(coalesce(c.available_from, @today), @today + c.notice_days) AS day) earliest
            CROSS JOIN LATERAL (SELECT greatest(0, earliest.day - @start) AS days) late
            CROSS JOIN LATERAL (SELECT CASE WHEN late.days >= @tolerance THEN 0 ELSE 1000 - late.days * 1000 / @tolerance END AS points) timing
            CROSS JOIN LATERAL (
                SELECT CASE WHEN c.available_until IS NULL OR c.available_until >= @end - 1 THEN 1000
                            ELSE least(1000, greatest(0, c.available_until - greatest(@start, earliest.day) + 1) * 1000 / (@end - @start)) END AS points) coverage
            CROSS JOIN LATERAL (SELECT least(c.days_per_week, @days_per_week) * 1000 / @days_per_week AS points) share
            CROSS JOIN LATERAL (
                SELECT count(*) FILTER (WHERE t.engagement_type = @engagement_type) AS of_type,
                       coalesce(bool_or(t.sector = @industry), false) AS in_industry,
                       array_agg(assignment.value ORDER BY assignment.value DESC)
                           FILTER (WHERE t.engagement_type = @engagement_type OR t.sector = @industry) AS relevant
                FROM sql_track_record t
                CROSS JOIN LATERAL (
                    SELECT CASE t.outcome WHEN 'exceeded' THEN 1000 WHEN 'achieved' THEN 850 WHEN 'partly-achieved' THEN 500
                                          WHEN 'not-achieved' THEN 150 ELSE 0 END AS points) outcome
                CROSS JOIN LATERAL (
                    SELECT CASE WHEN t.client_rating BETWEEN 1 AND 5 THEN (outcome.points + t.client_rating * 200) / 2
                                ELSE outcome.points END AS value) assignment
                WHERE t.candidate_id = c.candidate_id) record
            LEFT JOIN sql_exchange_rates candidate_rate ON candidate_rate.currency = c.currency
            CROSS JOIN LATERAL (
                SELECT CASE WHEN c.currency = @budget_currency THEN round(c.day_rate * 100)::bigint
                            ELSE round(c.day_rate * 100)::bigint * candidate_rate.eur_micros / budget.eur_micros END AS cents) rate
            WHERE c.candidate_id <> ALL (@excluded)
              AND c.vetting_status IN ('approved', 'sourced', 'screened', 'interviewed', 'references-checked')
              AND (@include_in_vetting OR (c.vetting_status = 'approved' AND (c.approved_until IS NULL OR c.approved_until >= @today)))
              AND NOT EXISTS (
                  SELECT 1 FROM placements p
                  WHERE p.candidate_id = c.candidate_id
                    AND p.engagement_id IS DISTINCT FROM @engagement_id
                    AND least(p.last_day, p.ended_on) >= p.first_day
                    AND p.first_day <= @end - 1
                    AND least(p.last_day, p.ended_on) >= @start)
              AND c.skills @> @must_have_skills
              AND NOT EXISTS (
                  SELECT 1 FROM unnest(@language_codes, @language_levels) AS wanted(code, level)
                  WHERE coalesce((SELECT max(array_position(ARRAY['basic', 'professional', 'fluent', 'native'], l.level))
                                  FROM sql_languages l
                                  WHERE l.candidate_id = c.candidate_id AND l.code = wanted.code), 0)
                        < coalesce(array_position(ARRAY['basic', 'professional', 'fluent', 'native'], wanted.level), 0)))
        SELECT candidate_id, in_vetting, revetting_due,
               availability, level, discipline, industry, skills, engagement_type, location, languages, day_rate, track_record,
               @w_availability::bigint * availability + @w_level * level + @w_discipline * discipline
                   + coalesce(@w_industry * industry, 0) + coalesce(@w_skills * skills, 0) + @w_engagement_type * engagement_type
                   + coalesce(@w_location * location, 0) + coalesce(@w_languages * languages, 0) + coalesce(@w_day_rate * day_rate, 0)
                   + @w_track_record * track_record AS total
        FROM scored
        ORDER BY total DESC, candidate_id
        LIMIT @top
        """;

    public static async Task CreateTablesAsync(NpgsqlConnection connection, RankingWeights weights, CancellationToken cancellationToken)
    {
        await using (var create = new NpgsqlCommand(Schema, connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var (currency, eurPerUnit) in weights.EurPerUnit)
        {
            await using var insert = new NpgsqlCommand("INSERT INTO sql_exchange_rates VALUES (@currency, round(@eur_per_unit * 1000000)::bigint)", connection);
            insert.Parameters.AddWithValue("currency", currency);
            insert.Parameters.AddWithValue("eur_per_unit", eurPerUnit);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public static async Task<List<SqlRanked>> RankAsync(NpgsqlConnection connection, RankingRequest request, RankingWeights weights, CancellationToken cancellationToken)
    {
        var brief = request.Brief;
        var set = weights.For(brief.EngagementType);
        await using var command = new NpgsqlCommand(Query, connection) { CommandTimeout = 0 };
        var p = command.Parameters;
        p.AddWithValue("today", request.Today);
        p.AddWithValue("start", brief.StartDate);
        p.AddWithValue("end", brief.StartDate.AddDays(7 * brief.DurationWeeks));
        p.AddWithValue("days_per_week", brief.DaysPerWeek);
        p.AddWithValue("tolerance", set.AvailabilityToleranceDays);
        p.AddWithValue("level", brief.Level);
        p.AddWithValue("discipline", brief.Discipline);
        p.AddWithValue("engagement_type", brief.EngagementType);
        p.Add(Nullable("industry", NpgsqlDbType.Text, string.IsNullOrWhiteSpace(brief.Industry) ? null : Terms.Normalise(brief.Industry)));
        p.Add(Nullable("country", NpgsqlDbType.Text, string.IsNullOrWhiteSpace(brief.Country) ? null : brief.Country.Trim().ToUpperInvariant()));
        p.AddWithValue("remote_possible", brief.RemotePossible);
        p.AddWithValue("language_codes", brief.Languages.Select(l => l.Code.Trim().ToLowerInvariant()).ToArray());
        p.AddWithValue("language_levels", brief.Languages.Select(l => l.MinimumLevel).ToArray());
        p.AddWithValue("must_have_skills", Normalised(brief.MustHaveSkills));
        p.AddWithValue("nice_to_have_skills", Normalised(brief.NiceToHaveSkills));
        p.Add(Nullable("budget_max", NpgsqlDbType.Numeric, brief.Budget?.Max));
        p.Add(Nullable("budget_currency", NpgsqlDbType.Text, brief.Budget?.Currency.Trim().ToUpperInvariant()));
        p.AddWithValue("excluded", request.ExcludedCandidateIds.ToArray());
        p.AddWithValue("include_in_vetting", request.IncludeCandidatesInVetting);
        p.Add(Nullable("engagement_id", NpgsqlDbType.Uuid, request.EngagementId));
        p.AddWithValue("w_availability", set.Availability);
        p.AddWithValue("w_level", set.Level);
        p.AddWithValue("w_discipline", set.Discipline);
        p.AddWithValue("w_industry", set.Industry);
        p.AddWithValue("w_skills", set.Skills);
        p.AddWithValue("w_engagement_type", set.EngagementType);
        p.AddWithValue("w_location", set.Location);
        p.AddWithValue("w_languages", set.Languages);
        p.AddWithValue("w_day_rate", set.DayRate);
        p.AddWithValue("w_track_record", set.TrackRecord);
        p.AddWithValue("top", request.Top);

        var ranked = new List<SqlRanked>(request.Top);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var points = new int?[Criteria.Length];
            for (var i = 0; i < points.Length; i++)
            {
                points[i] = reader.IsDBNull(3 + i) ? null : reader.GetInt32(3 + i);
            }

            ranked.Add(new SqlRanked(reader.GetGuid(0), reader.GetBoolean(1), reader.GetBoolean(2), points, reader.GetInt64(3 + Criteria.Length)));
        }

        return ranked;
    }

    /// <summary>Distinct, trimmed, lower-case and non-empty, as the engine compares skills.</summary>
    public static string[] Normalised(IEnumerable<string> skills) => [.. skills.Select(Terms.Normalise).Where(s => s.Length > 0).Distinct()];

    private static NpgsqlParameter Nullable(string name, NpgsqlDbType type, object? value) =>
        new(name, type) { Value = value ?? DBNull.Value };
}
