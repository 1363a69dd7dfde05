using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace InterimPlatform.Candidates.Data.Migrations
{
    /// <inheritdoc />
    public partial class PartnerRejections : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "partner_rejections",
                columns: table => new
                {
                    sender_id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    message_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    rejected_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_partner_rejections", x => new { x.sender_id, x.message_id });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "partner_rejections");
        }
    }
}
