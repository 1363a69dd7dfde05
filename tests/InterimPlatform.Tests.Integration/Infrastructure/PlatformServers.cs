using System.Collections.Concurrent;
using InterimPlatform.AppHost;
using InterimPlatform.Hosting.Processes;
using InterimPlatform.Hosting.Servers;
using InterimPlatform.Hosting.State;

namespace InterimPlatform.Tests.Integration.Infrastructure;

/// <summary>
/// A real PostgreSQL server and a real RabbitMQ node for the test run, started from the machine's
/// binaries by the same hosting code the AppHost uses, in a throw-away folder.
/// </summary>
public sealed class PlatformServers : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "interim-tests-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly ConcurrentQueue<string> _output = new();
    private PostgresServer? _postgres;
    private RabbitMQNode? _rabbitMQ;

    public PostgresServer Postgres => _postgres ?? throw new InvalidOperationException("Not started.");

    public RabbitMQNode RabbitMQ => _rabbitMQ ?? throw new InvalidOperationException("Not started.");

    /// <summary>The AMQP URI a service receives as <c>ConnectionStrings__messaging</c>.</summary>
    public string MessagingConnectionString => RabbitMQ.AmqpUri.ToString().TrimEnd('/');

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var postgresBinaries = await ServerBinaries.FindPostgresAsync(_output.Enqueue, timeout.Token);
        var rabbitBinaries = await ServerBinaries.FindRabbitMQAsync(_output.Enqueue, timeout.Token);

        _postgres = await PostgresServer.StartAsync(
            postgresBinaries,
            new PostgresServerOptions(Path.Combine(_directory, "postgres"), PortAllocator.GetFreePort(), PlatformSecrets.Generate()) { Ephemeral = true },
            ProcessWatchdog.Shared,
            _output.Enqueue,
            timeout.Token);
        _rabbitMQ = await RabbitMQNode.StartAsync(
            rabbitBinaries,
            new RabbitMQNodeOptions(Path.Combine(_directory, "rabbitmq"), "interim-test", PlatformSecrets.Generate()),
            ProcessWatchdog.Shared,
            _output.Enqueue,
            timeout.Token);

        try
        {
            await Task.WhenAll(
                _postgres.WaitUntilReadyAsync(TimeSpan.FromMinutes(2), timeout.Token),
                _rabbitMQ.WaitUntilReadyAsync(TimeSpan.FromMinutes(2), timeout.Token));
            var partners = PartnerNetworks.Provisioning(Partners, PartnerPasswords);
            await RabbitMQTopology.ApplyAsync(_rabbitMQ, partners.Exchanges, partners.Queues, partners.Users, timeout.Token);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"Test servers did not start:{Environment.NewLine}{string.Join(Environment.NewLine, _output.TakeLast(40))}", e);
        }
    }

    public static readonly IReadOnlyList<string> Partners = ["globalise", "nordic-interim"];

    /// <summary>Each test partner's RabbitMQ password, provisioned as the AppHost provisions partner networks.</summary>
    public IReadOnlyDictionary<string, string> PartnerPasswords { get; } = Partners.ToDictionary(p => p, _ => PlatformSecrets.Generate());

    /// <summary>A new, empty database; each test class gets its own so tests never see each other's rows.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)];
        await Postgres.EnsureDatabaseAsync(name, CancellationToken.None);
        return Postgres.GetConnectionString(name);
    }

    public async Task DisposeAsync()
    {
        if (_rabbitMQ is not null)
        {
            await _rabbitMQ.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
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
