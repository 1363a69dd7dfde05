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
        var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = servers.RabbitMQ.Options.AmqpPort, UserName = "guest", Password = "guest" };

        await Assert.ThrowsAsync<BrokerUnreachableException>(() => factory.CreateConnectionAsync());
    }

    [Fact]
    public async Task PostgreSQL_refuses_a_connection_without_the_generated_password()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(servers.Postgres.GetConnectionString("postgres")) { Password = "postgres", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(connectionString);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);
    }
}
