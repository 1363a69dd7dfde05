using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using NpgsqlTypes;

#nullable disable

namespace InterimPlatform.Candidates.Data.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "candidates",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    full_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    email = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: true),
                    phone = table.Column<string>(type: "text", nullable: true),
                    country = table.Column<string>(type: "character(2)", fixedLength: true, maxLength: 2, nullable: false),
                    city = table.Column<string>(type: "text", nullable: true),
                    willing_to_travel = table.Column<bool>(type: "boolean", nullable: false),
                    willing_to_relocate = table.Column<bool>(type: "boolean", nullable: false),
                    remote_possible = table.Column<bool>(type: "boolean", nullable: false),
                    language_codes = table.Column<List<string>>(type: "text[]", nullable: false),
                    levels = table.Column<List<string>>(type: "text[]", nullable: false),
                    disciplines = table.Column<List<string>>(type: "text[]", nullable: false),
                    industries = table.Column<List<string>>(type: "text[]", nullable: false),
                    skills = table.Column<List<string>>(type: "text[]", nullable: false),
                    engagement_types = table.Column<List<string>>(type: "text[]", nullable: false),
                    day_rate = table.Column<decimal>(type: "numeric", nullable: true),
                    currency = table.Column<string>(type: "character(3)", fixedLength: true, maxLength: 3, nullable: true),
                    available_from = table.Column<DateOnly>(type: "date", nullable: true),
                    available_until = table.Column<DateOnly>(type: "date", nullable: true),
                    notice_days = table.Column<int>(type: "integer", nullable: false),
                    days_per_week = table.Column<int>(type: "integer", nullable: false),
                    summary = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    vetting_status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    approved_until = table.Column<DateOnly>(type: "date", nullable: true),
                    lawful_basis = table.Column<string>(type: "text", nullable: false),
                    lawful_basis_recorded_on = table.Column<DateOnly>(type: "date", nullable: false),
                    source = table.Column<string>(type: "text", nullable: false),
                    partner_id = table.Column<string>(type: "text", nullable: true),
                    partner_person_id = table.Column<string>(type: "text", nullable: true),
                    partner_updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    partner_notice_sent_on = table.Column<DateOnly>(type: "date", nullable: true),
                    retention_review_on = table.Column<DateOnly>(type: "date", nullable: false),
                    registered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false),
                    search_vector = table.Column<NpgsqlTsVector>(type: "tsvector", nullable: false)
                        .Annotation("Npgsql:TsVectorConfig", "simple")
                        .Annotation("Npgsql:TsVectorProperties", new[] { "full_name", "summary" }),
                    languages = table.Column<string>(type: "jsonb", nullable: true),
                    track_record = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_candidates", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "erasures",
                columns: table => new
                {
                    candidate_id = table.Column<Guid>(type: "uuid", nullable: false),
                    erased_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    erased_by = table.Column<string>(type: "text", nullable: false),
                    ground = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_erasures", x => x.candidate_id);
                });

            migrationBuilder.CreateTable(
                name: "inbox_messages",
                columns: table => new
                {
                    message_id = table.Column<Guid>(type: "uuid", nullable: false),
                    consumer = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_inbox_messages", x => new { x.message_id, x.consumer });
                });

            migrationBuilder.CreateTable(
                name: "outbox_messages",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    aggregate_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    message_type = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    payload = table.Column<string>(type: "text", nullable: false),
                    trace_parent = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    trace_state = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    sent_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    last_error = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_messages", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "partner_tombstones",
                columns: table => new
                {
                    partner_id = table.Column<string>(type: "text", nullable: false),
                    partner_person_id = table.Column<string>(type: "text", nullable: false),
                    cutoff = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_partner_tombstones", x => new { x.partner_id, x.partner_person_id });
                });

            migrationBuilder.CreateTable(
                name: "vetting_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    candidate_id = table.Column<Guid>(type: "uuid", nullable: false),
                    from = table.Column<string>(type: "text", nullable: false),
                    to = table.Column<string>(type: "text", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    by = table.Column<string>(type: "text", nullable: false),
                    reason = table.Column<string>(type: "text", nullable: true),
                    trait_scores = table.Column<string>(type: "jsonb", nullable: true),
                    approved_until = table.Column<DateOnly>(type: "date", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_vetting_events", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_candidates_available_from",
                table: "candidates",
                column: "available_from");

            migrationBuilder.CreateIndex(
                name: "ix_candidates_country",
                table: "candidates",
                column: "country");

            migrationBuilder.CreateIndex(
                name: "ix_candidates_day_rate",
                table: "candidates",
                column: "day_rate");

            migrationBuilder.CreateIndex(
                name: "ix_candidates_disciplines",
                table: "candidates",
                column: "disciplines")
                .Annotation("Npgsql:IndexMethod", "GIN");

            migrationBuilder.CreateIndex(
                name: "ix_candidates_email",
                table: "candidates",
                column: "email",
                unique: true,
                filter: "email IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_candidates_engagement_types",
                table: "candidates",
                column: "engagement_types")
                .Annotation("Npgsql:IndexMethod", "GIN");

            migrationBuilder.CreateIndex(
                name: "ix_candidates_full_name_id",
                table: "candidates",
                columns: new[] { "full_name", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_candidates_industries",
                table: "candidates",
                column: "industries")
                .Annotation("Npgsql:IndexMethod", "GIN");

            migrationBuilder.CreateIndex(
                name: "ix_candidates_language_codes",
                table: "candidates",
                column: "language_codes")
                .Annotation("Npgsql:IndexMethod", "GIN");

            migrationBuilder.CreateIndex(
                name: "ix_candidates_levels",
                table: "candidates",
                column: "levels")
                .Annotation("Npgsql:IndexMethod", "GIN");

            migrationBuilder.CreateIndex(
                name: "ix_candidates_partner_id_partner_person_id",
                table: "candidates",
                columns: new[] { "partner_id", "partner_person_id" },
                unique: true,
                filter: "partner_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_candidates_registered_at_id",
                table: "candidates",
                columns: new[] { "registered_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_candidates_search_vector",
                table: "candidates",
                column: "search_vector")
                .Annotation("Npgsql:IndexMethod", "GIN");

            migrationBuilder.CreateIndex(
                name: "ix_candidates_skills",
                table: "candidates",
                column: "skills")
                .Annotation("Npgsql:IndexMethod", "GIN");

            migrationBuilder.CreateIndex(
                name: "ix_candidates_vetting_status",
                table: "candidates",
                column: "vetting_status");

            migrationBuilder.CreateIndex(
                name: "ix_inbox_messages_received_at",
                table: "inbox_messages",
                column: "received_at");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_sent_at",
                table: "outbox_messages",
                column: "sent_at");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_unsent",
                table: "outbox_messages",
                column: "sequence",
                filter: "sent_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_unsent_by_aggregate",
                table: "outbox_messages",
                columns: new[] { "aggregate_id", "sequence" },
                filter: "sent_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_vetting_events_candidate_id_id",
                table: "vetting_events",
                columns: new[] { "candidate_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "candidates");

            migrationBuilder.DropTable(
                name: "erasures");

            migrationBuilder.DropTable(
                name: "inbox_messages");

            migrationBuilder.DropTable(
                name: "outbox_messages");

            migrationBuilder.DropTable(
                name: "partner_tombstones");

            migrationBuilder.DropTable(
                name: "vetting_events");
        }
    }
}
