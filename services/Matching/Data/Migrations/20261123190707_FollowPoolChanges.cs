using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace InterimPlatform.Matching.Data.Migrations
{
    /// <summary>
    /// Announces every committed change to a candidate's pool row or placements on the channel
    /// <c>matching_pool_changes</c> (payload: the candidate id), so every replica's ranking index follows
    /// changes it did not make itself (<c>Ranking/PoolChangeFollower.cs</c> listens). PostgreSQL delivers a
    /// notification only when its transaction commits and folds identical ones of one transaction into one.
    /// </summary>
    public partial class FollowPoolChanges : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A placement moved to another candidate changes both: the old one is announced too.
            migrationBuilder.Sql(
                """
                CREATE FUNCTION notify_pool_change() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'DELETE' THEN
                        PERFORM pg_notify('matching_pool_changes', OLD.candidate_id::text);
                        RETURN NULL;
                    END IF;
                    PERFORM pg_notify('matching_pool_changes', NEW.candidate_id::text);
                    IF TG_OP = 'UPDATE' AND OLD.candidate_id IS DISTINCT FROM NEW.candidate_id THEN
                        PERFORM pg_notify('matching_pool_changes', OLD.candidate_id::text);
                    END IF;
                    RETURN NULL;
                END;
                $$;

                CREATE TRIGGER pool_candidates_notify_change
                    AFTER INSERT OR UPDATE OR DELETE ON pool_candidates
                    FOR EACH ROW EXECUTE FUNCTION notify_pool_change();

                CREATE TRIGGER placements_notify_change
                    AFTER INSERT OR UPDATE OR DELETE ON placements
                    FOR EACH ROW EXECUTE FUNCTION notify_pool_change();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(
                """
                DROP TRIGGER IF EXISTS placements_notify_change ON placements;
                DROP TRIGGER IF EXISTS pool_candidates_notify_change ON pool_candidates;
                DROP FUNCTION IF EXISTS notify_pool_change();
                """);
        }
    }
}
