using Aspire.Hosting;
using Aspire.Hosting.Testing;
using InterimPlatform.Hosting.NativeServers;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace InterimPlatform.Bench.Platform;

/// <summary>
/// A throw-away PostgreSQL server for a bench that needs a database and nothing else: the AppHost's own hosting
/// integration (Hosting.NativeServers) run by DCP through Aspire.Hosting.Testing, as the integration tests start
/// theirs, with fsync off, in a temporary folder deleted when it stops.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private const string Name = "postgres";
    private readonly DistributedApplication _app;
    private readonly string _directory;
    private readonly string _password;

    private PrivatePostgres(DistributedApplication app, string directory, int port, string password)
    {
        _app = app;
        _directory = directory;
        Port = port;
        _password = password;
    }

    public int Port { get; }

    /// <summary>The server's process (the one DCP started and its descendants, the server and its backends).</summary>
    public IReadOnlyList<int> ProcessIds => [.. ProcessTable.Read().Platform(Environment.ProcessId).Where(p => p.CommandLine.Contains(_directory, StringComparison.Ordinal)).Select(p => p.Pid)];

    public static async Task<PrivatePostgres> StartAsync(CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), "interim-bench-pg-" + Guid.NewGuid().ToString("N")[..8]);
        var password = GeneratedSecret.Create();
        string[] arguments = [$"--Parameters:{Name}-password={password}", "--ASPIRE_VERSION_CHECK_DISABLED=true"];
        var builder = DistributedApplicationTestingBuilder.Create(
            arguments,
            (options, _) => options.DisableDashboard = true);
        builder.Services.AddLogging(logging => BenchLogging.Configure(logging, resourceLogs: false));
        var server = builder.AddPostgresServer(Name, builder.AddParameter($"{Name}-password", secret: true), Path.Combine(directory, "postgres"))
            .WithEphemeralData();
        var app = await builder.BuildAsync(cancellationToken);
        var postgres = new PrivatePostgres(app, directory, server.Resource.Port, password);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(3));
            await app.StartAsync(timeout.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync(Name, timeout.Token);
            return postgres;
        }
        catch
        {
            await postgres.DisposeAsync();
            throw;
        }
    }

    /// <summary>The superuser's connection string to <paramref name="database"/>.</summary>
    public string GetConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = PostgresServerResource.SuperUser,
        Password = _password,
        Database = database,
    }.ConnectionString;

    /// <summary>Creates the database unless it exists, and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string database, CancellationToken cancellationToken)
    {
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(GetConnectionString("postgres")) { Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await PostgresDatabases.EnsureAsync(connection, database, owner: null, ownerPassword: null, cancellationToken);
        }

        return GetConnectionString(database);
    }

    /// <summary>Drops a database, closing every connection to it.</summary>
    public async Task DropDatabaseAsync(string database, CancellationToken cancellationToken)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(GetConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var drop = new NpgsqlCommand($"DROP DATABASE \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<string> VersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(GetConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var version = new NpgsqlCommand("SHOW server_version", connection);
        return (string)(await version.ExecuteScalarAsync(cancellationToken))!;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await _app.StopAsync(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException)
        {
            Console.Error.WriteLine($"PostgreSQL did not stop cleanly: {e.Message}");
        }

        await _app.DisposeAsync();
        await LeftoverProcesses.EnsureNoneAsync(Environment.ProcessId, _directory, TimeSpan.FromSeconds(20));
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // never created
        }
    }
}
