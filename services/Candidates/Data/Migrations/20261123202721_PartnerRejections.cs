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
                    message_key = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    sender_id = table.Column<string>(type: "text", nullable: false),
                    rejected_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_partner_rejections", x => new { x.message_key, x.sender_id });
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
