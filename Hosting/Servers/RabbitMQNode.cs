using System.Net.Http.Headers;
using System.Text;
using InterimPlatform.Hosting.Processes;
using InterimPlatform.Hosting.State;
using RabbitMQ.Client;

namespace InterimPlatform.Hosting.Servers;

/// <summary>Settings of one RabbitMQ node in a private directory, with its own Erlang port mapper.</summary>
public sealed record RabbitMQNodeOptions(string BaseDirectory, string UserName, string Password)
{
    /// <summary>Stable, so the node finds its own message store again after a restart.</summary>
    public string NodeName { get; init; } = "interim@localhost";

    public int AmqpPort { get; init; } = PortAllocator.GetFreePort();

    public int ManagementPort { get; init; } = PortAllocator.GetFreePort();

    public int DistributionPort { get; init; } = PortAllocator.GetFreePort();

    public int EpmdPort { get; init; } = PortAllocator.GetFreePort();

    public bool ManagementPlugin { get; init; } = true;
}

/// <summary>
/// A RabbitMQ node started from Debian's <c>rabbitmq-server</c> with every path, port and credential
/// private to this instance: listeners on 127.0.0.1 only, a generated administrator instead of guest,
/// and a private <c>epmd</c> so it never collides with a system node or another AppHost.
/// </summary>
public sealed class RabbitMQNode : IAsyncDisposable
{
    private readonly RabbitMQNodeOptions _options;
    private readonly ManagedProcess _epmd;
    private readonly ManagedProcess _server;

    private RabbitMQNode(RabbitMQNodeOptions options, ManagedProcess epmd, ManagedProcess server)
    {
        _options = options;
        _epmd = epmd;
        _server = server;
    }

    public RabbitMQNodeOptions Options => _options;

    public ManagedProcess Process => _server;

    /// <summary>The AMQP URI services receive as <c>ConnectionStrings__messaging</c>.</summary>
    public Uri AmqpUri => BuildAmqpUri(_options);

    public Uri ManagementUri => new($"http://127.0.0.1:{_options.ManagementPort}/");

    public static Uri BuildAmqpUri(RabbitMQNodeOptions options) =>
        new($"amqp://{Uri.EscapeDataString(options.UserName)}:{Uri.EscapeDataString(options.Password)}@127.0.0.1:{options.AmqpPort}");

    public static async Task<RabbitMQNode> StartAsync(
        RabbitMQBinaries binaries,
        RabbitMQNodeOptions options,
        ProcessWatchdog watchdog,
        Action<string> output,
        CancellationToken cancellationToken)
    {
        var baseDirectory = options.BaseDirectory;
        var home = Path.Combine(baseDirectory, "home");
        foreach (var directory in new[] { baseDirectory, home, Path.Combine(baseDirectory, "mnesia"), Path.Combine(baseDirectory, "log") })
        {
            Directory.CreateDirectory(directory);
        }

        var configFile = Path.Combine(baseDirectory, "rabbitmq.conf");
        var pluginsFile = Path.Combine(baseDirectory, "enabled_plugins");
        var envFile = Path.Combine(baseDirectory, "rabbitmq-env.conf");
        PrivateFile.Write(configFile, BuildConfig(options)); // holds the password
        await File.WriteAllTextAsync(pluginsFile, options.ManagementPlugin ? "[rabbitmq_management].\n" : "[].\n", cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(envFile, "# Every setting comes from the environment the AppHost passes.\n", cancellationToken).ConfigureAwait(false);

        var epmd = ManagedProcess.Start(
            new ManagedProcessStartInfo(binaries.Epmd, ["-port", options.EpmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-address", "127.0.0.1"])
            {
                WorkingDirectory = baseDirectory,
                Output = output,
            },
            watchdog);

        var environment = new Dictionary<string, string>
        {
            ["HOME"] = home, // where Erlang keeps the node's cookie
            ["ERL_EPMD_PORT"] = options.EpmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODENAME"] = options.NodeName,
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = options.AmqpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = options.DistributionPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(baseDirectory, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(baseDirectory, "log"),
            ["RABBITMQ_CONFIG_FILE"] = configFile,
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = pluginsFile,
            ["RABBITMQ_CONF_ENV_FILE"] = envFile,
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
            // The script then execs the Erlang VM instead of wrapping it in a shell with signal traps,
            // so the process we own is beam.smp itself and SIGTERM stops the node cleanly.
            ["RUNNING_UNDER_SYSTEMD"] = "true",
        };

        ManagedProcess server;
        try
        {
            server = ManagedProcess.Start(
                new ManagedProcessStartInfo(binaries.Server, [])
                {
                    Environment = environment,
                    WorkingDirectory = baseDirectory,
                    Output = output,
                },
                watchdog);
        }
        catch
        {
            await epmd.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            throw;
        }

        return new RabbitMQNode(options, epmd, server);
    }

    /// <summary>Waits until the node accepts an AMQP connection with our credentials and, if enabled, the management API answers.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var factory = new ConnectionFactory { Uri = AmqpUri, RequestedConnectionTimeout = TimeSpan.FromSeconds(2), AutomaticRecoveryEnabled = false };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_options.UserName}:{_options.Password}")));
        while (true)
        {
            if (_server.HasExited)
            {
                throw new InvalidOperationException($"RabbitMQ exited with code {await _server.Exited.ConfigureAwait(false)} before it was ready.");
            }

            try
            {
                await using (var connection = await factory.CreateConnectionAsync(deadline.Token).ConfigureAwait(false))
                {
                    await connection.CloseAsync(deadline.Token).ConfigureAwait(false);
                }

                if (!_options.ManagementPlugin)
                {
                    return;
                }

                using var response = await http.GetAsync(new Uri(ManagementUri, "api/overview"), deadline.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is RabbitMQ.Client.Exceptions.BrokerUnreachableException or HttpRequestException or TaskCanceledException { InnerException: TimeoutException } or System.Net.Sockets.SocketException or IOException)
            {
                // not up yet
            }

            await Task.Delay(250, deadline.Token).ConfigureAwait(false);
        }
    }

    public async Task StopAsync()
    {
        await _server.StopAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        await _epmd.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
        await _epmd.DisposeAsync().ConfigureAwait(false);
    }

    private static string BuildConfig(RabbitMQNodeOptions options) => $"""
        # Written by the InterimPlatform AppHost at every start; edits are overwritten.
        listeners.tcp.default = 127.0.0.1:{options.AmqpPort}
        management.tcp.ip = 127.0.0.1
        management.tcp.port = {options.ManagementPort}
        # Applied when the node initialises its database; there is no guest user.
        default_user = {options.UserName}
        default_pass = {options.Password}
        default_user_tags.administrator = true
        default_permissions.configure = .*
        default_permissions.read = .*
        default_permissions.write = .*
        log.console = true
        log.console.level = info
        log.file = false

        """;
}
