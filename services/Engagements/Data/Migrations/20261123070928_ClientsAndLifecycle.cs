using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace InterimPlatform.Engagements.Data.Migrations
{
    /// <inheritdoc />
    public partial class ClientsAndLifecycle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<List<string>>(
                name: "breaches_published",
                table: "engagements",
                type: "text[]",
                nullable: false,
                defaultValueSql: "\'{}\'");

            migrationBuilder.AddColumn<string>(
                name: "brief",
                table: "engagements",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<List<Guid>>(
                name: "candidate_ids",
                table: "engagements",
                type: "uuid[]",
                nullable: false,
                defaultValueSql: "\'{}\'");

            migrationBuilder.AddColumn<Guid>(
                name: "client_id",
                table: "engagements",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<int>(
                name: "client_rating",
                table: "engagements",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "clock_started_at",
                table: "engagements",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "diagnostic_completed_at",
                table: "engagements",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "diagnostic_due_on",
                table: "engagements",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "diagnostic_summary",
                table: "engagements",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "engagement_type",
                table: "engagements",
                type: "character varying(40)",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<List<Guid>>(
                name: "excluded_candidate_ids",
                table: "engagements",
                type: "uuid[]",
                nullable: false,
                defaultValueSql: "\'{}\'");

            migrationBuilder.AddColumn<string>(
                name: "exit_plan",
                table: "engagements",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "history",
                table: "engagements",
                type: "jsonb",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<bool>(
                name: "next_placement_fee_waived",
                table: "engagements",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateOnly>(
                name: "next_review_due",
                table: "engagements",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "outcome",
                table: "engagements",
                type: "character varying(40)",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "pending_match_request_id",
                table: "engagements",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "placed_at",
                table: "engagements",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "placements",
                table: "engagements",
                type: "jsonb",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "proposals",
                table: "engagements",
                type: "jsonb",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "proposed_at",
                table: "engagements",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "replacements",
                table: "engagements",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "review_every_weeks",
                table: "engagements",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "reviews",
                table: "engagements",
                type: "jsonb",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "shadow_manager",
                table: "engagements",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "shortlist",
                table: "engagements",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "shortlist_ready_at",
                table: "engagements",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "situation",
                table: "engagements",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "sponsor_contact_id",
                table: "engagements",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "updated_at",
                table: "engagements",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.AddColumn<uint>(
                name: "xmin",
                table: "engagements",
                type: "xid",
                rowVersion: true,
                nullable: false,
                defaultValue: 0u);

            migrationBuilder.CreateTable(
                name: "clients",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    industry = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    contacts = table.Column<string>(type: "jsonb", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_clients", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_engagements_candidate_ids",
                table: "engagements",
                column: "candidate_ids")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_engagements_client_id",
                table: "engagements",
                column: "client_id");

            migrationBuilder.CreateIndex(
                name: "ix_engagements_pending_match_request_id",
                table: "engagements",
                column: "pending_match_request_id");

            migrationBuilder.CreateIndex(
                name: "ix_engagements_state_created_at",
                table: "engagements",
                columns: new[] { "state", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_clients_name",
                table: "clients",
                column: "name");

            // Drafts opened before clients existed: one client per distinct name, history started, states in the new spelling.
            migrationBuilder.Sql("""
                INSERT INTO clients (id, name, contacts, created_at)
                SELECT gen_random_uuid(), client_name, '[]'::jsonb, min(created_at) FROM engagements GROUP BY client_name;
                UPDATE engagements e SET client_id = c.id, updated_at = e.created_at, state = lower(e.state),
                    history = jsonb_build_array(jsonb_build_object('from', '', 'to', 'draft', 'actor', 'migration', 'reason', 'opened', 'at', e.created_at))
                FROM clients c WHERE c.name = e.client_name;
                """);

            migrationBuilder.DropColumn(
                name: "client_name",
                table: "engagements");

            migrationBuilder.AddForeignKey(
                name: "fk_engagements_clients_client_id",
                table: "engagements",
                column: "client_id",
                principalTable: "clients",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_engagements_clients_client_id",
                table: "engagements");

            migrationBuilder.DropTable(
                name: "clients");

            migrationBuilder.DropIndex(
                name: "ix_engagements_candidate_ids",
                table: "engagements");

            migrationBuilder.DropIndex(
                name: "ix_engagements_client_id",
                table: "engagements");

            migrationBuilder.DropIndex(
                name: "ix_engagements_pending_match_request_id",
                table: "engagements");

            migrationBuilder.DropIndex(
                name: "ix_engagements_state_created_at",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "breaches_published",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "brief",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "candidate_ids",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "client_id",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "client_rating",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "clock_started_at",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "diagnostic_completed_at",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "diagnostic_due_on",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "diagnostic_summary",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "engagement_type",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "excluded_candidate_ids",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "exit_plan",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "history",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "next_placement_fee_waived",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "next_review_due",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "outcome",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "pending_match_request_id",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "placed_at",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "placements",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "proposals",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "proposed_at",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "replacements",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "review_every_weeks",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "reviews",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "shadow_manager",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "shortlist",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "shortlist_ready_at",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "situation",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "sponsor_contact_id",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "updated_at",
                table: "engagements");

            migrationBuilder.DropColumn(
                name: "xmin",
                table: "engagements");

            migrationBuilder.AddColumn<string>(
                name: "client_name",
                table: "engagements",
                type: "character varying(200)",
                maxLength: 200,
                nullable: false,
                defaultValue: "");
        }
    }
}
