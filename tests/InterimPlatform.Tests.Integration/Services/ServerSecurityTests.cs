using InterimPlatform.Tests.Integration.Infrastructure;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace InterimPlatform.Tests.Integration.Services;

/// <summary>The servers the hosting code starts have no default credentials.</summary>
[Collection(PlatformServersCollection.Name)]
public sealed class ServerSecurityTests(PlatformServers servers)
{
    [Fact]
    public async Task RabbitMQ_refuses_guest_guest()
    {
        var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = servers.RabbitMQ.AmqpPort, UserName = "guest", Password = "guest" };

        await Assert.ThrowsAsync<BrokerUnreachableException>(() => factory.CreateConnectionAsync());
    }

    [Fact]
    public async Task A_databases_owner_role_reaches_its_own_database_only()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        await servers.Postgres.EnsureDatabaseAsync($"own_{suffix}", CancellationToken.None, $"own_{suffix}_owner", "first-password");
        await servers.Postgres.EnsureDatabaseAsync($"other_{suffix}", CancellationToken.None, $"other_{suffix}_owner", "other-password");
        // A second start sets the password again and keeps everything else.
        await servers.Postgres.EnsureDatabaseAsync($"own_{suffix}", CancellationToken.None, $"own_{suffix}_owner", "o'quote; DROP ROLE x");

        await using (var own = new NpgsqlConnection(Unpooled(servers.Postgres.GetConnectionString($"own_{suffix}", $"own_{suffix}_owner", "o'quote; DROP ROLE x"))))
        {
            await own.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE TABLE t (id int)", own);
            await create.ExecuteNonQueryAsync(); // the owner can run its migrations
        }

        await using var foreign = new NpgsqlConnection(Unpooled(servers.Postgres.GetConnectionString($"other_{suffix}", $"own_{suffix}_owner", "o'quote; DROP ROLE x")));
        var refused = await Assert.ThrowsAsync<PostgresException>(() => foreign.OpenAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    private static string Unpooled(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    [Fact]
    public async Task PostgreSQL_refuses_a_connection_without_the_generated_password()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(servers.Postgres.GetConnectionString("postgres")) { Password = "postgres", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(connectionString);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);
    }
}
