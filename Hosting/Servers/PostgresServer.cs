using InterimPlatform.Hosting.Processes;
using InterimPlatform.Hosting.State;
using Npgsql;

namespace InterimPlatform.Hosting.Servers;

/// <summary>Settings of one PostgreSQL server instance in a private data directory.</summary>
public sealed record PostgresServerOptions(string BaseDirectory, int Port, string Password)
{
    /// <summary>Trades crash safety for speed (fsync off): for throw-away test servers only.</summary>
    public bool Ephemeral { get; init; }

    public string DataDirectory => Path.Combine(BaseDirectory, "data");
}

/// <summary>
/// A PostgreSQL server run from the installed binaries: initialised on first start with a generated
/// superuser password, bound to 127.0.0.1 only, run as the <c>postgres</c> account when we are root.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string SuperUser = "postgres";
    private readonly PostgresServerOptions _options;
    private readonly ManagedProcess _process;

    private PostgresServer(PostgresServerOptions options, ManagedProcess process)
    {
        _options = options;
        _process = process;
    }

    public ManagedProcess Process => _process;

    public int Port => _options.Port;

    /// <summary>Initialises the data directory if needed and starts the server (not yet ready: see <see cref="WaitUntilReadyAsync"/>).</summary>
    public static async Task<PostgresServer> StartAsync(
        PostgresBinaries binaries,
        PostgresServerOptions options,
        ProcessWatchdog watchdog,
        Action<string> output,
        CancellationToken cancellationToken)
    {
        // PostgreSQL refuses to run as root.
        var runAs = Posix.IsRoot ? SuperUser : null;
        Directory.CreateDirectory(options.BaseDirectory);
        if (runAs is not null)
        {
            await ChownAsync(options.BaseDirectory, runAs, cancellationToken).ConfigureAwait(false);
        }

        if (!File.Exists(Path.Combine(options.DataDirectory, "PG_VERSION")))
        {
            await InitializeAsync(binaries, options, runAs, output, cancellationToken).ConfigureAwait(false);
        }

        List<string> arguments =
        [
            "-D", options.DataDirectory,
            "-c", "listen_addresses=127.0.0.1",
            "-c", $"port={options.Port}",
            "-c", "unix_socket_directories=",
            "-c", "max_connections=300",
            "-c", "logging_collector=off",
        ];
        if (options.Ephemeral)
        {
            arguments.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
        }

        var process = ManagedProcess.Start(
            new ManagedProcessStartInfo(binaries.Postgres, arguments)
            {
                RunAsUser = runAs,
                StopSignal = Posix.SIGINT, // fast shutdown: roll back open transactions, then stop cleanly
                WorkingDirectory = options.BaseDirectory,
                Output = output,
            },
            watchdog);
        return new PostgresServer(options, process);
    }

    public string GetConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = _options.Port,
        Username = SuperUser,
        Password = _options.Password,
        Database = database,
    }.ConnectionString;

    /// <summary>Waits until the server accepts an authenticated connection.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(GetConnectionString("postgres")) { Pooling = false, Timeout = 2 }.ConnectionString;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"PostgreSQL exited with code {await _process.Exited.ConfigureAwait(false)} before it was ready.");
            }

            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(deadline.Token).ConfigureAwait(false);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(deadline.Token).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
            {
                await Task.Delay(200, deadline.Token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Creates the database unless it exists. With an <paramref name="owner"/>, the database belongs to that
    /// login role (created, and its password set, as needed) and no other role but the superuser may connect
    /// to it, so a service can reach only its own database.
    /// </summary>
    public async Task EnsureDatabaseAsync(string database, CancellationToken cancellationToken, string? owner = null, string? ownerPassword = null)
    {
        // Unpooled: the AppHost should not keep idle sessions open on the server.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(GetConnectionString("postgres")) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (owner is not null)
        {
            var exists = await ScalarAsync(connection, "SELECT 1 FROM pg_roles WHERE rolname = @p0", cancellationToken, owner).ConfigureAwait(false) is not null;
            await ExecuteFormattedAsync(connection, exists ? "ALTER ROLE %I LOGIN PASSWORD %L" : "CREATE ROLE %I LOGIN PASSWORD %L", cancellationToken, owner, ownerPassword ?? throw new ArgumentNullException(nameof(ownerPassword))).ConfigureAwait(false);
        }

        if (await ScalarAsync(connection, "SELECT 1 FROM pg_database WHERE datname = @p0", cancellationToken, database).ConfigureAwait(false) is null)
        {
            await ExecuteFormattedAsync(connection, owner is null ? "CREATE DATABASE %I" : "CREATE DATABASE %I OWNER %I", cancellationToken, owner is null ? [database] : [database, owner]).ConfigureAwait(false);
        }
        else if (owner is not null)
        {
            await ExecuteFormattedAsync(connection, "ALTER DATABASE %I OWNER TO %I", cancellationToken, database, owner).ConfigureAwait(false);
        }

        if (owner is not null)
        {
            await ExecuteFormattedAsync(connection, "REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC", cancellationToken, database).ConfigureAwait(false);
        }
    }

    /// <summary>A connection string for <paramref name="database"/> as <paramref name="user"/> (a database's owner role).</summary>
    public string GetConnectionString(string database, string user, string password) =>
        new NpgsqlConnectionStringBuilder(GetConnectionString(database)) { Username = user, Password = password }.ConnectionString;

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters.AddWithValue($"p{i}", parameters[i]);
        }

        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs DDL, which takes no parameters: the server quotes the names and literals itself with format().</summary>
    private static async Task ExecuteFormattedAsync(NpgsqlConnection connection, string template, CancellationToken cancellationToken, params string[] arguments)
    {
        // @p0 is the template, @p1… its arguments.
        var placeholders = string.Join(", ", arguments.Select((_, i) => $"@p{i + 1}"));
        var statement = (string)(await ScalarAsync(connection, $"SELECT format(@p0, {placeholders})", cancellationToken, [template, .. arguments]).ConfigureAwait(false))!;
        await using var command = new NpgsqlCommand(statement, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync() => _process.StopAsync(TimeSpan.FromSeconds(30));

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static async Task InitializeAsync(PostgresBinaries binaries, PostgresServerOptions options, string? runAs, Action<string> output, CancellationToken cancellationToken)
    {
        if (Directory.Exists(options.DataDirectory))
        {
            Directory.Delete(options.DataDirectory, recursive: true); // a half-initialised directory from an interrupted first run
        }

        var passwordFile = Path.Combine(options.BaseDirectory, ".initdb-password");
        PrivateFile.Write(passwordFile, options.Password);
        try
        {
            if (runAs is not null)
            {
                await ChownAsync(passwordFile, runAs, cancellationToken).ConfigureAwait(false);
            }

            var (code, text) = await CommandRunner.RunAsync(
                binaries.InitDb,
                ["-D", options.DataDirectory, "-U", SuperUser, $"--pwfile={passwordFile}", "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-sync"],
                cancellationToken,
                runAs).ConfigureAwait(false);
            output(text);
            if (code != 0)
            {
                throw new InvalidOperationException($"initdb failed with exit code {code}:{Environment.NewLine}{text}");
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private static async Task ChownAsync(string path, string user, CancellationToken cancellationToken)
    {
        var (code, text) = await CommandRunner.RunAsync("chown", [$"{user}:{user}", path], cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException($"chown {user} {path} failed: {text}");
        }
    }
}
