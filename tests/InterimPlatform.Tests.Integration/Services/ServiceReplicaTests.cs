using InterimPlatform.Candidates.Data;
using InterimPlatform.Tests.Integration.Infrastructure;
using Npgsql;

namespace InterimPlatform.Tests.Integration.Services;

/// <summary>Replicas of a service start together against one new database, as the AppHost starts them with --Replicas=2.</summary>
[Collection(PlatformServersCollection.Name)]
public sealed class ServiceReplicaTests(PlatformServers servers)
{
    [Fact]
    public async Task Three_replicas_started_at_once_on_a_new_database_all_start_and_migrate_it_once()
    {
        var database = await servers.CreateDatabaseAsync("replicas");
        var replicas = Enumerable.Range(0, 3).Select(_ => new ServiceHost<CandidatesDbContext>(new Dictionary<string, string>
        {
            ["ConnectionStrings:candidatesdb"] = database,
            ["ConnectionStrings:messaging"] = servers.ServiceMessagingConnectionString("candidates"),
        })).ToList();
        try
        {
            // Each host starts on its own thread (a factory starts its host synchronously), so the migrations race.
            await Task.WhenAll(replicas.Select(r => Task.Run(r.WaitUntilHealthyAsync)));

            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            await using var applied = new NpgsqlCommand("""SELECT count(*), count(DISTINCT migration_id) FROM "__EFMigrationsHistory" """, connection);
            await using var reader = await applied.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.True(reader.GetInt64(0) > 0);
            Assert.Equal(reader.GetInt64(1), reader.GetInt64(0));
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }
}
