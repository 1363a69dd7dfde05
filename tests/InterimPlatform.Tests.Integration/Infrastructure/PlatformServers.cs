using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using InterimPlatform.AppHost;
using InterimPlatform.Hosting.NativeServers;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace InterimPlatform.Tests.Integration.Infrastructure;

/// <summary>
/// A real PostgreSQL server and a real RabbitMQ node for the test run, started as the AppHost starts them: Aspire
/// resources of the AppHost's own hosting integration, run by DCP, in a throw-away folder.
/// </summary>
public sealed class PlatformServers : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "interim-tests-" + Guid.NewGuid().ToString("N")[..12]);
    private DistributedApplication? _app;
    private TestPostgres? _postgres;
    private TestRabbitMQ? _rabbitMQ;

    public TestPostgres Postgres => _postgres ?? throw new InvalidOperationException("Not started.");

    public TestRabbitMQ RabbitMQ => _rabbitMQ ?? throw new InvalidOperationException("Not started.");

    /// <summary>The AMQP URI a service receives as <c>ConnectionStrings__messaging</c>.</summary>
    public string MessagingConnectionString => RabbitMQ.AmqpUri.ToString().TrimEnd('/');

    public static readonly IReadOnlyList<string> Partners = ["globalise", "nordic-interim"];

    /// <summary>Each test partner's RabbitMQ password, provisioned as the AppHost provisions partner networks.</summary>
    public IReadOnlyDictionary<string, string> PartnerPasswords { get; } = Partners.ToDictionary(p => p, _ => GeneratedSecret.Create());

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var postgresPassword = GeneratedSecret.Create();
        var rabbitPassword = GeneratedSecret.Create();
        var builder = AspireTesting.CreateBuilder(
            [$"--Parameters:postgres-password={postgresPassword}", $"--Parameters:messaging-password={rabbitPassword}"]);
        var postgres = builder.AddPostgresServer("postgres", builder.AddParameter("postgres-password", secret: true), Path.Combine(_directory, "postgres"))
            .WithEphemeralData();
        var rabbitMQ = builder.AddRabbitMQNode("messaging", "interim-test", builder.AddParameter("messaging-password", secret: true), Path.Combine(_directory, "rabbitmq"))
            .WithProvisioning(PartnerNetworks.Provisioning(Partners, PartnerPasswords));

        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        await Task.WhenAll(
            _app.ResourceNotifications.WaitForResourceHealthyAsync("postgres", timeout.Token),
            _app.ResourceNotifications.WaitForResourceHealthyAsync("messaging", timeout.Token));
        _postgres = new TestPostgres(postgres.Resource.Port, postgresPassword);
        _rabbitMQ = new TestRabbitMQ(rabbitMQ.Resource, rabbitPassword);
    }

    /// <summary>A new, empty database; each test class gets its own so tests never see each other's rows.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)];
        await Postgres.EnsureDatabaseAsync(name, CancellationToken.None);
        return Postgres.GetConnectionString(name);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp folder
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PlatformServersCollection : ICollectionFixture<PlatformServers>
{
    public const string Name = "Platform servers";
}

/// <summary>The test run's PostgreSQL server, reached as its superuser.</summary>
public sealed class TestPostgres(int port, string password)
{
    public int Port { get; } = port;

    public string GetConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = PostgresServerResource.SuperUser, Password = password, Database = database }.ConnectionString;

    /// <summary>A connection string for <paramref name="database"/> as <paramref name="user"/> (a database's owner role).</summary>
    public string GetConnectionString(string database, string user, string userPassword) =>
        new NpgsqlConnectionStringBuilder(GetConnectionString(database)) { Username = user, Password = userPassword }.ConnectionString;

    /// <summary>Creates the database (owned by <paramref name="owner"/> when given) as the AppHost does.</summary>
    public async Task EnsureDatabaseAsync(string database, CancellationToken cancellationToken, string? owner = null, string? ownerPassword = null)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(GetConnectionString("postgres")) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await PostgresDatabases.EnsureAsync(connection, database, owner, ownerPassword, cancellationToken);
    }
}

/// <summary>The test run's RabbitMQ node, reached as its administrator.</summary>
public sealed class TestRabbitMQ(RabbitMQNodeResource node, string password)
{
    public Uri AmqpUri { get; } = new($"amqp://{node.UserName}:{password}@127.0.0.1:{node.Ports.Amqp}");

    public int AmqpPort => node.Ports.Amqp;

    public Uri ManagementUri => node.ManagementUri;

    public string UserName => node.UserName;

    public string Password => password;
}

/// <summary>How tests start Aspire apps of their own (servers only, no AppHost project).</summary>
public static class AspireTesting
{
    /// <summary>A testing builder without the dashboard (DCP is found through this assembly's build metadata).</summary>
    public static IDistributedApplicationTestingBuilder CreateBuilder(string[] args) =>
        DistributedApplicationTestingBuilder.Create([.. args, "--ASPIRE_VERSION_CHECK_DISABLED=true"], (options, _) => options.DisableDashboard = true);
}

/// <summary>A RabbitMQ node of a test's own (for a test that stops and starts it), run as the AppHost runs one.</summary>
public sealed class OwnRabbitMQ : IAsyncDisposable
{
    private const string Name = "messaging";
    private readonly DistributedApplication _app;
    private readonly string _directory;

    private OwnRabbitMQ(DistributedApplication app, string directory, TestRabbitMQ node)
    {
        _app = app;
        _directory = directory;
        Node = node;
    }

    public TestRabbitMQ Node { get; }

    public static async Task<OwnRabbitMQ> LaunchAsync(CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), "interim-broker-" + Guid.NewGuid().ToString("N")[..8]);
        var password = GeneratedSecret.Create();
        var builder = AspireTesting.CreateBuilder([$"--Parameters:{Name}-password={password}"]);
        var node = builder.AddRabbitMQNode(Name, "notes", builder.AddParameter($"{Name}-password", secret: true), directory);
        var app = await builder.BuildAsync(cancellationToken);
        await app.StartAsync(cancellationToken);
        await app.ResourceNotifications.WaitForResourceHealthyAsync(Name, cancellationToken);
        return new OwnRabbitMQ(app, directory, new TestRabbitMQ(node.Resource, password));
    }

    /// <summary>Stops the node as the dashboard's Stop does, and waits until it has exited.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var result = await _app.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(Name, KnownResourceCommands.StopCommand, cancellationToken);
        Assert.True(result.Success, result.Message);
        await _app.ResourceNotifications.WaitForResourceAsync(Name, KnownResourceStates.TerminalStates, cancellationToken);
    }

    /// <summary>Starts the node again as the dashboard's Start does, and waits until it is healthy.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var result = await _app.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(Name, KnownResourceCommands.StartCommand, cancellationToken);
        Assert.True(result.Success, result.Message);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync(Name, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
