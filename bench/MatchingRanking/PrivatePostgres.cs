using System.Collections.Concurrent;
using InterimPlatform.Hosting.Processes;
using InterimPlatform.Hosting.Servers;
using InterimPlatform.Hosting.State;
using Npgsql;

namespace InterimPlatform.Bench.MatchingRanking;

/// <summary>
/// A throw-away PostgreSQL server for the run, started from the machine's binaries by the platform's own hosting
/// code (as the integration tests start theirs) in a temporary folder that is deleted when it stops.
/// </summary>
internal sealed class PrivatePostgres : IAsyncDisposable
{
    private const int KeptOutputLines = 100;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "interim-bench-matching-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly ConcurrentQueue<string> _output = new();
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public static async Task<PrivatePostgres> StartAsync(CancellationToken cancellationToken)
    {
        var postgres = new PrivatePostgres();
        try
        {
            var binaries = await ServerBinaries.FindPostgresAsync(postgres.Keep, cancellationToken);
            postgres._server = await PostgresServer.StartAsync(
                binaries,
                new PostgresServerOptions(Path.Combine(postgres._directory, "postgres"), PortAllocator.GetFreePort(), PlatformSecrets.Generate()) { Ephemeral = true },
                ProcessWatchdog.Shared,
                postgres.Keep,
                cancellationToken);
            await postgres._server.WaitUntilReadyAsync(TimeSpan.FromMinutes(2), cancellationToken);
            return postgres;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var output = string.Join(Environment.NewLine, postgres._output);
            await postgres.DisposeAsync();
            throw new InvalidOperationException($"PostgreSQL did not start:{Environment.NewLine}{output}", e);
        }
        catch
        {
            await postgres.DisposeAsync();
            throw;
        }
    }

    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        await Server.EnsureDatabaseAsync(name, cancellationToken);
        return Server.GetConnectionString(name);
    }

    /// <summary>Drops a size's database once measured, so the next size has the server's caches to itself.</summary>
    public async Task DropDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Server.GetConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var drop = new NpgsqlCommand($"DROP DATABASE \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<string> VersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(Server.GetConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var version = new NpgsqlCommand("SHOW server_version", connection);
        return (string)(await version.ExecuteScalarAsync(cancellationToken))!;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // never created: the binaries were missing
        }
    }

    private void Keep(string line)
    {
        _output.Enqueue(line);
        while (_output.Count > KeptOutputLines && _output.TryDequeue(out _))
        {
        }
    }
}
