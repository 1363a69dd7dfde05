using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using MassTransit;
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

    /// <summary>The administrator's AMQP URI, for test services of their own (not one of the platform's).</summary>
    public string MessagingConnectionString => RabbitMQ.AmqpUri.ToString().TrimEnd('/');

    /// <summary>
    /// The AMQP URI <paramref name="service"/> (candidates, engagements, matching) receives as
    /// <c>ConnectionStrings__messaging</c>: its own broker user with the AppHost's permissions, so the tests that host
    /// a service also prove it works with no more than those.
    /// </summary>
    public string ServiceMessagingConnectionString(string service) =>
        _serviceConnectionStrings.TryGetValue(service, out var uri) ? uri : throw new ArgumentException($"No broker user for '{service}'.", nameof(service));

    private readonly Dictionary<string, string> _serviceConnectionStrings = [];

    private OtherServicesBus? _otherServices;

    /// <summary>A bus as the administrator, for tests to publish the events of services they do not host (<see cref="OtherServicesBus"/>).</summary>
    public IBus OtherServices => (_otherServices ?? throw new InvalidOperationException("Not started.")).Bus;

    public static readonly IReadOnlyList<string> Partners = ["globalise", "nordic-interim"];

    /// <summary>Each test partner's RabbitMQ password, provisioned as the AppHost provisions partner networks.</summary>
    public IReadOnlyDictionary<string, string> PartnerPasswords { get; } = Partners.ToDictionary(p => p, _ => GeneratedSecret.Create());

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var postgresPassword = GeneratedSecret.Create();
        var rabbitPassword = GeneratedSecret.Create();
        var builder = AspireTesting.CreateBuilder(
            [
                $"--Parameters:postgres-password={postgresPassword}", $"--Parameters:messaging-password={rabbitPassword}",
                .. ServiceBrokerUsers.All.Select(s => $"--Parameters:{s.ResourceName}-password={GeneratedSecret.Create()}"),
            ]);
        var postgres = builder.AddPostgresServer("postgres", builder.AddParameter("postgres-password", secret: true), Path.Combine(_directory, "postgres"))
            .WithEphemeralData();
        var rabbitMQ = builder.AddRabbitMQNode("messaging", "interim-test", builder.AddParameter("messaging-password", secret: true), Path.Combine(_directory, "rabbitmq"))
            .WithProvisioning(PartnerNetworks.Provisioning(Partners, PartnerPasswords));
        var brokerUsers = ServiceBrokerUsers.All.Select(s => rabbitMQ.AddUser(s.ResourceName, s.UserName, builder.AddParameter($"{s.ResourceName}-password", secret: true), s.Permissions)).ToList();

        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        await Task.WhenAll([
            _app.ResourceNotifications.WaitForResourceHealthyAsync("postgres", timeout.Token),
            _app.ResourceNotifications.WaitForResourceHealthyAsync("messaging", timeout.Token),
            .. brokerUsers.Select(u => _app.ResourceNotifications.WaitForResourceHealthyAsync(u.Resource.Name, timeout.Token))]);
        foreach (var (service, user) in ServiceBrokerUsers.All.Zip(brokerUsers))
        {
            _serviceConnectionStrings[service.Service] = await user.Resource.ConnectionStringExpression.GetValueAsync(timeout.Token)
                ?? throw new InvalidOperationException($"No connection string for {user.Resource.Name}.");
        }

        _postgres = new TestPostgres(postgres.Resource.Port, postgresPassword);
        _rabbitMQ = new TestRabbitMQ(rabbitMQ.Resource, rabbitPassword);
        _otherServices = await OtherServicesBus.StartAsync(_rabbitMQ.AmqpUri, timeout.Token);
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
        if (_otherServices is not null)
        {
            await _otherServices.DisposeAsync();
        }

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

/// <summary>
/// A PostgreSQL server of a test's own (for a test that stops, restarts or kills it), run as the AppHost runs one:
/// the hosting integration's server resource with its databases, each owned by a role of its own. It keeps its
/// port, so a server started again is found where it was.
/// </summary>
public sealed class OwnPostgres : IAsyncDisposable
{
    private const string Name = "postgres";
    private readonly DistributedApplication _app;
    private readonly string _directory;
    private readonly IReadOnlyDictionary<string, PostgresDatabaseResource> _databases;

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _console = new();
    private readonly CancellationTokenSource _stopping = new();

    private readonly PostgresServerResource _resource;

    private OwnPostgres(DistributedApplication app, string directory, PostgresServerResource resource, TestPostgres server, IReadOnlyDictionary<string, PostgresDatabaseResource> databases)
    {
        _app = app;
        _resource = resource;
        _directory = directory;
        Server = server;
        _databases = databases;
        _ = KeepConsoleAsync();
    }

    /// <summary>The server's latest console lines (what PostgreSQL said, across its restarts), for a failure's message.</summary>
    public string Console => string.Join(Environment.NewLine, _console);

    /// <summary>The server, reached as its superuser.</summary>
    public TestPostgres Server { get; }

    /// <summary>Starts a server with <paramref name="databases"/> (database names; each resource is <c>{name}db</c>, as in the AppHost).</summary>
    public static async Task<OwnPostgres> LaunchAsync(IReadOnlyList<string> databases, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), "interim-postgres-" + Guid.NewGuid().ToString("N")[..8]);
        var password = GeneratedSecret.Create();
        var builder = AspireTesting.CreateBuilder(
            [$"--Parameters:{Name}-password={password}", .. databases.Select(d => $"--Parameters:{d}db-owner-password={GeneratedSecret.Create()}")]);
        var server = builder.AddPostgresServer(Name, builder.AddParameter($"{Name}-password", secret: true), directory).WithEphemeralData();
        var resources = databases.ToDictionary(d => d, d => server.AddDatabase($"{d}db", builder.AddParameter($"{d}db-owner-password", secret: true), d).Resource);
        var app = await builder.BuildAsync(cancellationToken);
        await app.StartAsync(cancellationToken);
        // A database is healthy once it exists and its owner can connect: its check creates it.
        await Task.WhenAll([
            app.ResourceNotifications.WaitForResourceHealthyAsync(Name, cancellationToken),
            .. resources.Values.Select(d => app.ResourceNotifications.WaitForResourceHealthyAsync(d.Name, cancellationToken))]);
        return new OwnPostgres(app, directory, server.Resource, new TestPostgres(server.Resource.Port, password), resources);
    }

    /// <summary>The connection string a service gets for <paramref name="database"/> (its owner role), as the AppHost passes it.</summary>
    public async Task<string> ConnectionStringAsync(string database) =>
        await _databases[database].ConnectionStringExpression.GetValueAsync(CancellationToken.None)
        ?? throw new InvalidOperationException($"No connection string for {database}.");

    /// <summary>The process id DCP reports for the running server (the wrapper that runs postgres).</summary>
    public int ProcessId =>
        _app.ResourceNotifications.TryGetCurrentState(Name, out var state) && Pid(state) is { } pid
            ? pid
            : throw new InvalidOperationException($"{Name} has no process id.");

    /// <summary>Stops the server as the dashboard's Stop does (a fast shutdown: SIGINT), and waits until it has exited.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var result = await _app.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(Name, KnownResourceCommands.StopCommand, cancellationToken);
        Assert.True(result.Success, result.Message);
        await WaitUntilStoppedAsync(cancellationToken);
    }

    /// <summary>Starts the server again as the dashboard's Start does, and waits until it is healthy.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var result = await _app.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(Name, KnownResourceCommands.StartCommand, cancellationToken);
        Assert.True(result.Success, result.Message);
        await WaitUntilHealthyAsync(previousProcessId: null, cancellationToken);
    }

    /// <summary>Restarts the server as the dashboard's Restart does (stop, then start), and waits until the new one is healthy.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        var before = ProcessId;
        var result = await _app.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(Name, KnownResourceCommands.RestartCommand, cancellationToken);
        Assert.True(result.Success, result.Message);
        await WaitUntilHealthyAsync(before, cancellationToken);
    }

    /// <summary>
    /// kill -9 of the whole server at once (the postmaster and every backend): no goodbye to any client, whose
    /// sockets simply close. Every process is stopped (SIGSTOP) before any is killed: a backend that outlived its
    /// postmaster by a moment would tell its client ("terminating connection due to unexpected postmaster exit").
    /// Returns once DCP has seen it exit. The wrapper DCP runs is left to reap the postmaster and exit with it:
    /// killed too, it would leave the postmaster a zombie until PID 1 reaps it, and a server started meanwhile
    /// refuses to run ("lock file postmaster.pid already exists", its process id still taken).
    /// </summary>
    public async Task KillAsync(CancellationToken cancellationToken)
    {
        var wrapper = ProcessId;
        var stopped = new List<int>();
        // Until none is left running: a postmaster may have started a backend just before it was stopped.
        while (ProcessTree(wrapper).Skip(1).Except(stopped).ToList() is { Count: > 0 } running)
        {
            await SignalAsync("STOP", running, cancellationToken);
            stopped.AddRange(running);
        }

        await SignalAsync("KILL", stopped, cancellationToken);
        await WaitUntilStoppedAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _stopping.CancelAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp folder
        }
    }

    private async Task WaitUntilStoppedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _app.ResourceNotifications.WaitForResourceAsync(Name, [KnownResourceStates.Exited, KnownResourceStates.Finished, KnownResourceStates.FailedToStart], cancellationToken);
        }
        catch (OperationCanceledException e)
        {
            throw new TimeoutException($"{Name} did not stop. Its console:{Environment.NewLine}{Console}", e);
        }
    }

    private async Task KeepConsoleAsync()
    {
        try
        {
            await foreach (var lines in _app.Services.GetRequiredService<ResourceLoggerService>().WatchAsync(_resource).WithCancellation(_stopping.Token))
            {
                foreach (var line in lines)
                {
                    _console.Enqueue(line.Content);
                    while (_console.Count > 200)
                    {
                        _console.TryDequeue(out _);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // disposed
        }
    }

    /// <summary>
    /// Running as a new process and healthy: Aspire resets a resource's health reports when it starts, so a report of
    /// the new process is the server accepting connections again.
    /// </summary>
    private async Task WaitUntilHealthyAsync(int? previousProcessId, CancellationToken cancellationToken)
    {
        try
        {
            await _app.ResourceNotifications.WaitForResourceAsync(
                Name,
                e => e.Snapshot.State?.Text == KnownResourceStates.Running
                    && Pid(e) is { } pid && pid != previousProcessId
                    && e.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy,
                cancellationToken);
        }
        catch (OperationCanceledException e)
        {
            throw new TimeoutException($"{Name} did not become healthy. Its console:{Environment.NewLine}{Console}", e);
        }
    }

    private static int? Pid(ResourceEvent state) =>
        state.Snapshot.Properties.FirstOrDefault(p => p.Name.EndsWith(".pid", StringComparison.Ordinal))?.Value is { } pid
            ? Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    private static async Task SignalAsync(string signal, IEnumerable<int> processes, CancellationToken cancellationToken)
    {
        using var kill = Process.Start("kill", ["-s", signal, "--", .. processes.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture))])!;
        await kill.WaitForExitAsync(cancellationToken);
    }

    /// <summary><paramref name="root"/> and all its descendants, from /proc.</summary>
    private static List<int> ProcessTree(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // exited while we looked
            }
        }

        var tree = new List<int> { root };
        for (var i = 0; i < tree.Count; i++)
        {
            tree.AddRange(parents.Where(p => p.Value == tree[i]).Select(p => p.Key));
        }

        return tree;
    }
}
