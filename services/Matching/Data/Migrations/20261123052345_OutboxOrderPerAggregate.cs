using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace InterimPlatform.Matching.Data.Migrations
{
    /// <inheritdoc />
    public partial class OutboxOrderPerAggregate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_unsent_by_aggregate",
                table: "outbox_messages",
                columns: new[] { "aggregate_id", "sequence" },
                filter: "sent_at IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_outbox_messages_unsent_by_aggregate",
                table: "outbox_messages");
        }
    }
}
