using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace InterimPlatform.Matching.Data.Migrations
{
    /// <inheritdoc />
    public partial class ShortlistsAndPlacements : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "placements",
                columns: table => new
                {
                    placement_id = table.Column<Guid>(type: "uuid", nullable: false),
                    engagement_id = table.Column<Guid>(type: "uuid", nullable: false),
                    candidate_id = table.Column<Guid>(type: "uuid", nullable: false),
                    first_day = table.Column<DateOnly>(type: "date", nullable: true),
                    last_day = table.Column<DateOnly>(type: "date", nullable: true),
                    ended_on = table.Column<DateOnly>(type: "date", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_placements", x => x.placement_id);
                });

            migrationBuilder.CreateTable(
                name: "shortlists",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    engagement_id = table.Column<Guid>(type: "uuid", nullable: true),
                    request_id = table.Column<Guid>(type: "uuid", nullable: true),
                    brief = table.Column<string>(type: "jsonb", nullable: false),
                    top = table.Column<int>(type: "integer", nullable: false),
                    include_candidates_in_vetting = table.Column<bool>(type: "boolean", nullable: false),
                    excluded_candidate_ids = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    ranked_for = table.Column<DateOnly>(type: "date", nullable: false),
                    weights_version = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    weights = table.Column<string>(type: "jsonb", nullable: false),
                    considered = table.Column<int>(type: "integer", nullable: false),
                    eligible = table.Column<int>(type: "integer", nullable: false),
                    filtered_out = table.Column<string>(type: "jsonb", nullable: false),
                    requested_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shortlists", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "shortlist_entries",
                columns: table => new
                {
                    shortlist_id = table.Column<Guid>(type: "uuid", nullable: false),
                    candidate_id = table.Column<Guid>(type: "uuid", nullable: false),
                    rank = table.Column<int>(type: "integer", nullable: true),
                    full_name = table.Column<string>(type: "text", nullable: true),
                    score = table.Column<decimal>(type: "numeric", nullable: false),
                    flags = table.Column<List<string>>(type: "text[]", nullable: false),
                    criteria = table.Column<string>(type: "jsonb", nullable: false),
                    exclusion = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    erased = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shortlist_entries", x => new { x.shortlist_id, x.candidate_id });
                    table.ForeignKey(
                        name: "fk_shortlist_entries_shortlists_shortlist_id",
                        column: x => x.shortlist_id,
                        principalTable: "shortlists",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "shortlist_overrides",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    shortlist_id = table.Column<Guid>(type: "uuid", nullable: false),
                    candidate_id = table.Column<Guid>(type: "uuid", nullable: false),
                    action = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    actor = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shortlist_overrides", x => x.id);
                    table.ForeignKey(
                        name: "fk_shortlist_overrides_shortlists_shortlist_id",
                        column: x => x.shortlist_id,
                        principalTable: "shortlists",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_placements_candidate_id",
                table: "placements",
                column: "candidate_id");

            migrationBuilder.CreateIndex(
                name: "ix_shortlist_entries_candidate_id",
                table: "shortlist_entries",
                column: "candidate_id");

            migrationBuilder.CreateIndex(
                name: "ix_shortlist_overrides_candidate_id",
                table: "shortlist_overrides",
                column: "candidate_id");

            migrationBuilder.CreateIndex(
                name: "ix_shortlist_overrides_shortlist_id",
                table: "shortlist_overrides",
                column: "shortlist_id");

            migrationBuilder.CreateIndex(
                name: "ix_shortlists_engagement_id_created_at",
                table: "shortlists",
                columns: new[] { "engagement_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_shortlists_request_id",
                table: "shortlists",
                column: "request_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "placements");

            migrationBuilder.DropTable(
                name: "shortlist_entries");

            migrationBuilder.DropTable(
                name: "shortlist_overrides");

            migrationBuilder.DropTable(
                name: "shortlists");
        }
    }
}
