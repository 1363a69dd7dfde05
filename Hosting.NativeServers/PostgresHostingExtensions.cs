using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace InterimPlatform.Hosting.NativeServers;

/// <summary>Adds PostgreSQL servers and their databases to an Aspire app model, run from the machine's binaries.</summary>
public static class PostgresHostingExtensions
{
    /// <summary>
    /// A PostgreSQL server whose data lives in <paramref name="baseDirectory"/> (initialised on first start with the
    /// password of <paramref name="password"/>), listening on 127.0.0.1 only, run as the <c>postgres</c> account when
    /// the AppHost is root (PostgreSQL refuses root). Healthy once it accepts an authenticated connection.
    /// </summary>
    public static IResourceBuilder<PostgresServerResource> AddPostgresServer(
        this IDistributedApplicationBuilder builder,
        string name,
        IResourceBuilder<ParameterResource> password,
        string baseDirectory,
        int? port = null)
    {
        baseDirectory = Path.GetFullPath(baseDirectory);
        var server = new PostgresServerResource(name, baseDirectory, password.Resource, Path.Combine(baseDirectory, "data"), port ?? LoopbackPorts.GetFreePort());
        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey, _ => new PostgresReadyCheck(server, database: null), HealthStatus.Unhealthy, tags: null));

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server, async (e, cancellationToken) =>
        {
            var logger = e.Services.GetRequiredService<ResourceLoggerService>().GetLogger(server);
            await PrepareAsync(server, logger, cancellationToken).ConfigureAwait(false);
        });

        return builder.AddResource(server)
            .WithEndpoint(port: server.Port, targetPort: server.Port, scheme: "tcp", name: PostgresServerResource.EndpointName, isProxied: false)
            // SIGINT is PostgreSQL's fast shutdown: open transactions are rolled back and the server stops cleanly.
            .WithRunServerScript("INT")
            .WithArgs(context =>
            {
                var binaries = ServerBinaries.LocatePostgres() ?? throw new ServerBinaryMissingException("PostgreSQL", "apt-get install -y postgresql");
                if (Posix.IsRoot)
                {
                    // A change of user clears the parent-death signal run-server.sh sets: set it again after the change.
                    foreach (var argument in (string[])["setpriv", $"--reuid={PostgresServerResource.SuperUser}", $"--regid={PostgresServerResource.SuperUser}", "--init-groups", "--pdeathsig", "KILL", "--"])
                    {
                        context.Args.Add(argument);
                    }
                }

                List<string> arguments =
                [
                    binaries.Postgres,
                    "-D", server.DataDirectory,
                    "-c", "listen_addresses=127.0.0.1",
                    "-c", $"port={server.Port.ToString(CultureInfo.InvariantCulture)}",
                    "-c", "unix_socket_directories=",
                    "-c", "max_connections=300",
                    "-c", "logging_collector=off",
                ];
                if (server.Ephemeral)
                {
                    arguments.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
                }

                foreach (var argument in arguments)
                {
                    context.Args.Add(argument);
                }
            })
            .WithIconName("DatabaseMultiple")
            .WithHealthCheck(healthCheckKey);
    }

    /// <summary>Data directory options: <see cref="PostgresServerResource.Ephemeral"/> for throw-away test servers.</summary>
    public static IResourceBuilder<PostgresServerResource> WithEphemeralData(this IResourceBuilder<PostgresServerResource> builder)
    {
        builder.Resource.Ephemeral = true;
        return builder;
    }

    /// <summary>
    /// A database on the server, created (with its owner role and password) when missing. It shows the server's
    /// state on the dashboard and is healthy once its owner can connect to it.
    /// </summary>
    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<PostgresServerResource> builder,
        string name,
        IResourceBuilder<ParameterResource> ownerPassword,
        string? databaseName = null)
    {
        var database = new PostgresDatabaseResource(name, databaseName ?? name, builder.Resource, ownerPassword.Resource);
        builder.Resource.Databases.Add(database);
        return ParentState.AddChild(
            builder,
            database,
            () => new PostgresReadyCheck(builder.Resource, database),
            new CustomResourceSnapshot
            {
                ResourceType = "Database",
                State = KnownResourceStates.Waiting,
                Properties = [new(CustomResourceKnownProperties.Source, $"{builder.Resource.Name}/{database.DatabaseName}")],
            },
            iconName: "Database");
    }

    /// <summary>Initialises the data directory on the first start (or after an interrupted first start).</summary>
    private static async Task PrepareAsync(PostgresServerResource server, ILogger logger, CancellationToken cancellationToken)
    {
        var binaries = await ServerBinaries.FindPostgresAsync(message => logger.LogInformation("{Message}", message), cancellationToken).ConfigureAwait(false);
        var runAs = Posix.IsRoot ? PostgresServerResource.SuperUser : null;
        Directory.CreateDirectory(server.WorkingDirectory);
        if (runAs is not null)
        {
            await ChownAsync(server.WorkingDirectory, runAs, cancellationToken).ConfigureAwait(false);
        }

        if (File.Exists(Path.Combine(server.DataDirectory, "PG_VERSION")))
        {
            return;
        }

        if (Directory.Exists(server.DataDirectory))
        {
            Directory.Delete(server.DataDirectory, recursive: true); // a half-initialised directory from an interrupted first run
        }

        var passwordFile = Path.Combine(server.WorkingDirectory, ".initdb-password");
        PrivateFile.Write(passwordFile, await server.PasswordParameter.GetValueAsync(cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException($"Parameter {server.PasswordParameter.Name} has no value."));
        try
        {
            if (runAs is not null)
            {
                await ChownAsync(passwordFile, runAs, cancellationToken).ConfigureAwait(false);
            }

            logger.LogInformation("Initialising a new PostgreSQL data directory in {Directory}", server.DataDirectory);
            var (code, text) = await CommandRunner.RunAsync(
                binaries.InitDb,
                ["-D", server.DataDirectory, "-U", PostgresServerResource.SuperUser, $"--pwfile={passwordFile}", "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-sync"],
                cancellationToken,
                runAs).ConfigureAwait(false);
            logger.LogInformation("{Output}", text);
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

/// <summary>
/// The server accepts an authenticated connection; for a database, the database and its owner exist (created
/// on first success, idempotently) and the owner can connect. Unpooled: the AppHost keeps no idle sessions open.
/// </summary>
internal sealed class PostgresReadyCheck(PostgresServerResource server, PostgresDatabaseResource? database) : IHealthCheck
{
    private bool _ensured;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!await AcceptsConnectionsAsync(cancellationToken).ConfigureAwait(false))
        {
            return HealthCheckResult.Unhealthy("PostgreSQL is starting (not ready for connections yet).");
        }

        try
        {
            var superUser = new NpgsqlConnectionStringBuilder(await server.ConnectionStringExpression.GetValueAsync(cancellationToken).ConfigureAwait(false))
            {
                Database = "postgres",
                Pooling = false,
                Timeout = 3,
            };
            if (database is null)
            {
                await using var connection = new NpgsqlConnection(superUser.ConnectionString);
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                return HealthCheckResult.Healthy();
            }

            var ownerPassword = await database.OwnerPassword.GetValueAsync(cancellationToken).ConfigureAwait(false) ?? "";
            if (!_ensured)
            {
                await using var connection = new NpgsqlConnection(superUser.ConnectionString);
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                await PostgresDatabases.EnsureAsync(connection, database.DatabaseName, database.OwnerRole, ownerPassword, cancellationToken).ConfigureAwait(false);
                _ensured = true;
            }

            var owner = new NpgsqlConnectionStringBuilder(await database.ConnectionStringExpression.GetValueAsync(cancellationToken).ConfigureAwait(false)) { Pooling = false, Timeout = 3 };
            await using (var connection = new NpgsqlConnection(owner.ConnectionString))
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            }

            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or IOException)
        {
            // A new data directory (after a reset) needs the database again.
            _ensured = false;
            return HealthCheckResult.Unhealthy(e.Message, e);
        }
    }

    /// <summary>
    /// Whether the postmaster says it is ready (line 8 of <c>postmaster.pid</c>: starting, ready, stopping, standby).
    /// A connection attempt before that is refused with a FATAL entry in PostgreSQL's log ("the database system is
    /// starting up"), several a second while the checks poll: asking the file first keeps a clean start's log clean.
    /// When the file cannot be read (another owner and no root), the connection attempt decides.
    /// </summary>
    private async Task<bool> AcceptsConnectionsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var lines = await File.ReadAllLinesAsync(Path.Combine(server.DataDirectory, "postmaster.pid"), cancellationToken).ConfigureAwait(false);
            return lines.Length > 7 && lines[7].Trim() == "ready";
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return true;
        }
    }
}

/// <summary>Creates databases and their owner roles (idempotent): used by the AppHost and by test fixtures.</summary>
public static class PostgresDatabases
{
    /// <summary>
    /// Creates the database unless it exists. With an <paramref name="owner"/>, the database belongs to that login
    /// role (created, and its password set, as needed) and no other role but the superuser may connect to it.
    /// </summary>
    public static async Task EnsureAsync(NpgsqlConnection superUser, string database, string? owner, string? ownerPassword, CancellationToken cancellationToken)
    {
        if (owner is not null)
        {
            var exists = await ScalarAsync(superUser, "SELECT 1 FROM pg_roles WHERE rolname = @p0", cancellationToken, owner).ConfigureAwait(false) is not null;
            await ExecuteFormattedAsync(superUser, exists ? "ALTER ROLE %I LOGIN PASSWORD %L" : "CREATE ROLE %I LOGIN PASSWORD %L", cancellationToken, owner, ownerPassword ?? throw new ArgumentNullException(nameof(ownerPassword))).ConfigureAwait(false);
        }

        if (await ScalarAsync(superUser, "SELECT 1 FROM pg_database WHERE datname = @p0", cancellationToken, database).ConfigureAwait(false) is null)
        {
            await ExecuteFormattedAsync(superUser, owner is null ? "CREATE DATABASE %I" : "CREATE DATABASE %I OWNER %I", cancellationToken, owner is null ? [database] : [database, owner]).ConfigureAwait(false);
        }
        else if (owner is not null)
        {
            await ExecuteFormattedAsync(superUser, "ALTER DATABASE %I OWNER TO %I", cancellationToken, database, owner).ConfigureAwait(false);
        }

        if (owner is not null)
        {
            await ExecuteFormattedAsync(superUser, "REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC", cancellationToken, database).ConfigureAwait(false);
        }
    }

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
        var placeholders = string.Join(", ", arguments.Select((_, i) => $"@p{i + 1}"));
        var statement = (string)(await ScalarAsync(connection, $"SELECT format(@p0, {placeholders})", cancellationToken, [template, .. arguments]).ConfigureAwait(false))!;
        await using var command = new NpgsqlCommand(statement, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
