using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace InterimPlatform.Candidates.Data.Migrations
{
    /// <inheritdoc />
    public partial class PartnerIntakeTallies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "partner_intake_tallies",
                columns: table => new
                {
                    bucket_start = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    partner_id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    writer = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    accepted = table.Column<long>(type: "bigint", nullable: false),
                    duplicate = table.Column<long>(type: "bigint", nullable: false),
                    rejected = table.Column<long>(type: "bigint", nullable: false),
                    stale = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_partner_intake_tallies", x => new { x.bucket_start, x.partner_id, x.writer });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "partner_intake_tallies");
        }
    }
}
