using System.Globalization;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using InterimPlatform.Hosting.NativeServers;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace InterimPlatform.Bench.Platform;

/// <summary>How a bench wants the platform started.</summary>
public sealed record BenchPlatformOptions
{
    /// <summary>Instances of each domain service (<c>--Replicas</c>): <c>matching</c>, <c>matching-2</c>, …</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>Runs the Aspire dashboard too (on free ports); off by default, as a bench measures the platform.</summary>
    public bool Dashboard { get; init; }

    /// <summary>Variables for every service instance and the gateway (not PostgreSQL or RabbitMQ).</summary>
    public IReadOnlyDictionary<string, string> ServiceEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Variables for the gateway alone (the benches raise its per-caller rate limit: it is not what they measure).</summary>
    public IReadOnlyDictionary<string, string> GatewayEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>More AppHost configuration, as on its command line (<c>--Partners:0=…</c>).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Changes to the app model before it is built (a bench's relays in front of a server, say).</summary>
    public Action<IDistributedApplicationTestingBuilder>? Configure { get; init; }

    /// <summary>Writes every resource's own log lines (warnings and errors) to the console; off by default, as services log their faults loudly.</summary>
    public bool ResourceLogs { get; init; }

    /// <summary>Keeps the state folder (data, credentials) after the run.</summary>
    public bool KeepState { get; init; }

    /// <summary>The state folder's name in the temp folder: <c>interim-{Name}-xxxxxxxx</c>.</summary>
    public string Name { get; init; } = "bench";

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The gateway's rate limit raised so high it never answers 429 (it stays in the path, so its cost is measured).</summary>
    public static IReadOnlyDictionary<string, string> UnlimitedGateway { get; } = new Dictionary<string, string>
    {
        ["Gateway__RateLimit__PermitsPerSecond"] = "1000000",
        ["Gateway__RateLimit__Burst"] = "1000000",
    };
}

/// <summary>
/// The whole platform for a bench: the AppHost's own app model (AppHost/PlatformModel.cs), run in this process through
/// Aspire.Hosting.Testing as the end-to-end tests run it (DCP starts PostgreSQL, RabbitMQ and every service from its
/// build output), in a state folder of its own on free ports, so nothing a user runs on the machine is touched.
/// Started once every resource is healthy. Resources are stopped, started and restarted with Aspire's own resource
/// commands (the dashboard's buttons); <see cref="KillAsync"/> is <c>kill -9</c> of a resource's processes.
/// Disposing stops the app and makes sure no process of it is left.
/// </summary>
public sealed class BenchPlatform : IAsyncDisposable
{
    /// <summary>The property of a resource snapshot that holds the process id DCP started.</summary>
    private const string PidProperty = "executable.pid";

    private static readonly string[] s_domainServices = ["matching", "candidates", "engagements"];
    private static readonly string[] s_stoppedStates = [KnownResourceStates.Exited, KnownResourceStates.Finished, KnownResourceStates.FailedToStart];

    private readonly DistributedApplication _app;
    private readonly BenchPlatformOptions _options;
    private bool _disposed;

    private BenchPlatform(DistributedApplication app, BenchPlatformOptions options, string stateDirectory, int gatewayPort, int? dashboardPort)
    {
        _app = app;
        _options = options;
        StateDirectory = stateDirectory;
        GatewayPort = gatewayPort;
        DashboardPort = dashboardPort;
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        Postgres = model.Resources.OfType<PostgresServerResource>().Single();
        Messaging = model.Resources.OfType<RabbitMQNodeResource>().Single();
        Resources = [.. model.Resources.Where(IsShown).Select(r => r.Name)];
        Services = [.. model.Resources.Where(r => r.GetType() == typeof(ExecutableResource)).Select(r => r.Name)];
        Secrets = ReadJson("secrets.json");
        ApiKeys = ReadJson("api-keys.json");
        PartnerPasswords = ReadJson("partners.json");
    }

    public DistributedApplication App => _app;

    public string StateDirectory { get; }

    public int GatewayPort { get; }

    public Uri GatewayUrl => new($"http://localhost:{GatewayPort.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>The dashboard's port when it runs (<see cref="BenchPlatformOptions.Dashboard"/>).</summary>
    public int? DashboardPort { get; }

    /// <summary>Every resource the AppHost reports on: the servers, the databases and every service instance.</summary>
    public IReadOnlyList<string> Resources { get; }

    /// <summary>Every service instance and the gateway: <c>matching</c>, <c>matching-2</c>, …, <c>gateway</c>.</summary>
    public IReadOnlyList<string> Services { get; }

    public PostgresServerResource Postgres { get; }

    public RabbitMQNodeResource Messaging { get; }

    /// <summary>The installation's generated secrets (<c>secrets.json</c>: <c>postgres-password</c>, <c>messaging-password</c>, <c>gateway-signing-key</c>, …).</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; }

    /// <summary>The development API key of each role: recruiter, ops, privacy-officer, admin.</summary>
    public IReadOnlyDictionary<string, string> ApiKeys { get; }

    /// <summary>Each partner network's RabbitMQ password (<c>partners.json</c>; the partner id is its user name).</summary>
    public IReadOnlyDictionary<string, string> PartnerPasswords { get; }

    public string ApiKey(string role) => ApiKeys.TryGetValue(role, out var key) ? key : throw new KeyNotFoundException($"No development key for the role {role}.");

    /// <summary>The key the gateway signs identity tokens with, which every service trusts (for calls around the gateway).</summary>
    public string SigningKey => Secrets["gateway-signing-key"];

    public int PostgresPort => Postgres.Port;

    public string PostgresPassword => Secrets["postgres-password"];

    /// <summary>A superuser connection string to one of the platform's databases (candidates, engagements, matching, gateway, postgres).</summary>
    public string DatabaseConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = PostgresPort,
        Username = PostgresServerResource.SuperUser,
        Password = PostgresPassword,
        Database = database,
    }.ConnectionString;

    public int AmqpPort => Messaging.Ports.Amqp;

    /// <summary>The RabbitMQ administrator (the AppHost's; each service connects as its own user, AppHost/ServiceBrokerUsers.cs).</summary>
    public string MessagingUser => Messaging.UserName;

    public string MessagingPassword => Secrets["messaging-password"];

    /// <summary>The administrator's AMQP URI (a service receives its own user's in <c>ConnectionStrings__messaging</c>).</summary>
    public Uri AmqpUri => new($"amqp://{Uri.EscapeDataString(MessagingUser)}:{Uri.EscapeDataString(MessagingPassword)}@127.0.0.1:{AmqpPort.ToString(CultureInfo.InvariantCulture)}");

    public Uri ManagementUri => Messaging.ManagementUri;

    /// <summary>The instances of a domain service (<c>matching</c> → <c>matching</c>, <c>matching-2</c>, …).</summary>
    public IReadOnlyList<string> Instances(string service) =>
        [.. Services.Where(s => s == service || (s.StartsWith(service + "-", StringComparison.Ordinal) && int.TryParse(s[(service.Length + 1)..], CultureInfo.InvariantCulture, out _)))];

    /// <summary>The domain service instances and the gateway in the order a fault suite kills them: each first instance, the gateway, then the other instances.</summary>
    public IReadOnlyList<string> KillOrder =>
        [.. s_domainServices.Select(s => Instances(s)[0]), "gateway", .. s_domainServices.SelectMany(s => Instances(s).Skip(1))];

    /// <summary>A service instance's own URL, around the gateway.</summary>
    public Uri ServiceUrl(string resource) => _app.GetEndpoint(resource, "http");

    /// <summary>The resource's state as the dashboard shows it (Running, Exited, …).</summary>
    public string? State(string resource) =>
        _app.ResourceNotifications.TryGetCurrentState(resource, out var current) ? current.Snapshot.State?.Text : null;

    /// <summary>The process id DCP started the resource with (for PostgreSQL and RabbitMQ, the shell that runs the server).</summary>
    public int ProcessId(string resource) =>
        _app.ResourceNotifications.TryGetCurrentState(resource, out var current)
        && current.Snapshot.Properties.FirstOrDefault(p => p.Name == PidProperty)?.Value is { } pid
        && Convert.ToInt32(pid, CultureInfo.InvariantCulture) is var id and > 0
            ? id
            : throw new InvalidOperationException($"{resource} has no process id (state {State(resource)}).");

    /// <summary>Every process of a resource: the one DCP started and its descendants (the server under PostgreSQL's or RabbitMQ's shell).</summary>
    public IReadOnlyList<int> ProcessIds(string resource) => [.. ProcessTable.Read().Trees([ProcessId(resource)]).Select(p => p.Pid)];

    /// <summary>
    /// Each running resource's proportional set size in bytes, over its process tree: memory shared by several
    /// processes (PostgreSQL's shared buffers, in every backend's RSS) is counted once across them, so a sum means something.
    /// </summary>
    public Dictionary<string, long> ResourceMemory() => PerResource((table, pid) => table.Trees([pid]).Sum(p => ProcessCosts.Pss(p.Pid) ?? 0));

    /// <summary>Each running resource's CPU time so far, over its process tree (a process that ended takes its time with it).</summary>
    public Dictionary<string, TimeSpan> ResourceCpuTimes() =>
        PerResource((table, pid) => table.Trees([pid]).Aggregate(TimeSpan.Zero, (sum, p) => sum + (ProcessCosts.CpuTime(p.Pid) ?? TimeSpan.Zero)));

    private Dictionary<string, T> PerResource<T>(Func<ProcessTable, int, T> measure)
    {
        var table = ProcessTable.Read();
        return Resources
            .Select(name => (Name: name, Pid: TryProcessId(name)))
            .Where(r => r.Pid is not null)
            .ToDictionary(r => r.Name, r => measure(table, r.Pid!.Value));
    }

    /// <summary>
    /// Every process of the platform: this process's descendants, and DCP's (DCP and its helpers are not children of
    /// the AppHost, here this process: they name it on their command line, <c>--monitor PID</c>). Not this process.
    /// </summary>
    public IReadOnlyList<ProcessEntry> PlatformProcesses() => [.. ProcessTable.Read().Platform(Environment.ProcessId).Where(p => p.Pid != Environment.ProcessId)];

    /// <summary>
    /// Stops a resource as the dashboard's Stop button does, and waits until its processes have ended. Returns a note
    /// when the stop did not go as asked: DCP gives a process a while to stop and then reports the stop failed and the
    /// resource's state as Unknown (RabbitMQ on a loaded machine can take longer); the process stops regardless, and
    /// only if it outlives <paramref name="grace"/> (default 60 s) is it killed, and the note says so.
    /// </summary>
    public async Task<string?> StopAsync(string resource, CancellationToken cancellationToken, TimeSpan? grace = null)
    {
        var processes = ProcessIds(resource);
        var result = await Commands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand, cancellationToken);
        var deadline = DateTime.UtcNow + (grace ?? TimeSpan.FromSeconds(60));
        while (processes.Any(IsAlive) || !IsStopped(State(resource)))
        {
            if (DateTime.UtcNow > deadline)
            {
                var left = processes.Where(IsAlive).ToList();
                foreach (var pid in left)
                {
                    Signals.Kill(pid);
                }

                return $"{resource} still {State(resource)} {(grace ?? TimeSpan.FromSeconds(60)).TotalSeconds:0} s after the stop command ({(result.Success ? "done" : result.Message)}); killed {left.Count} process(es)";
            }

            await Task.Delay(100, cancellationToken);
        }

        return result.Success ? null : $"the stop command said: {result.Message}; state {State(resource)}, its processes ended";
    }

    /// <summary>Starts a stopped or exited resource as the dashboard's Start button does, and waits until it is healthy.</summary>
    public async Task StartAsync(string resource, CancellationToken cancellationToken)
    {
        var result = await Commands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, cancellationToken);
        if (!result.Success)
        {
            throw new InvalidOperationException($"start {resource}: {result.Message}");
        }

        await WaitUntilHealthyAsync([resource], cancellationToken);
    }

    /// <summary>Restarts a resource as the dashboard's Restart button does, and waits until it is healthy again.</summary>
    public async Task RestartAsync(string resource, CancellationToken cancellationToken)
    {
        var before = ProcessId(resource);
        var result = await Commands.ExecuteCommandAsync(resource, KnownResourceCommands.RestartCommand, cancellationToken);
        if (!result.Success)
        {
            throw new InvalidOperationException($"restart {resource}: {result.Message}");
        }

        while (TryProcessId(resource) is var pid && (pid is null || pid == before))
        {
            await Task.Delay(100, cancellationToken);
        }

        await WaitUntilHealthyAsync([resource], cancellationToken);
    }

    /// <summary>
    /// <c>kill -9</c> of every process of a resource (no shutdown, no flushing, connections cut mid-flight), and a wait
    /// until DCP has seen it exit. DCP does not start it again; <see cref="StartAsync"/> does, as an operator would.
    /// Returns the process ids killed.
    /// </summary>
    public async Task<IReadOnlyList<int>> KillAsync(string resource, CancellationToken cancellationToken)
    {
        var pids = ProcessIds(resource);
        foreach (var pid in pids)
        {
            Signals.Kill(pid);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        await _app.ResourceNotifications.WaitForResourceAsync(resource, s_stoppedStates, timeout.Token);
        return pids;
    }

    /// <summary>Waits until every named resource (all of them when none is named) is running and healthy.</summary>
    public async Task WaitUntilHealthyAsync(IEnumerable<string>? resources, CancellationToken cancellationToken) =>
        await Task.WhenAll((resources ?? Resources).Select(r => _app.ResourceNotifications.WaitForResourceHealthyAsync(r, cancellationToken)));

    /// <summary>Starts the platform and returns once every resource is healthy.</summary>
    public static async Task<BenchPlatform> StartAsync(BenchPlatformOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BenchPlatformOptions();
        var state = Path.Combine(Path.GetTempPath(), $"interim-{options.Name}-{Guid.NewGuid().ToString("N")[..8]}");
        var gatewayPort = LoopbackPorts.GetFreePort();
        var dashboardPort = LoopbackPorts.GetFreePort();
        // The dashboard's ports are free ones even when it does not run: the services' telemetry is sent to its OTLP
        // port, which must not be a dashboard someone else runs on the machine.
        string[] arguments =
        [
            "--state-dir", state, $"--Replicas={options.Replicas.ToString(CultureInfo.InvariantCulture)}",
            $"--Gateway:Port={gatewayPort.ToString(CultureInfo.InvariantCulture)}", $"--Messaging:AmqpPort={LoopbackPorts.GetFreePort().ToString(CultureInfo.InvariantCulture)}",
            $"--Dashboard:Port={dashboardPort.ToString(CultureInfo.InvariantCulture)}", $"--Dashboard:OtlpGrpcPort={LoopbackPorts.GetFreePort().ToString(CultureInfo.InvariantCulture)}",
            $"--Dashboard:OtlpHttpPort={LoopbackPorts.GetFreePort().ToString(CultureInfo.InvariantCulture)}", $"--Dashboard:ResourceServicePort={LoopbackPorts.GetFreePort().ToString(CultureInfo.InvariantCulture)}",
            .. options.Arguments,
        ];
        Console.WriteLine($"Starting the platform (AppHost through Aspire.Hosting.Testing, {options.Replicas} instance(s) of each domain service{(options.Dashboard ? ", dashboard on" : "")}) in {state} ...");
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(arguments, (o, _) => o.DisableDashboard = !options.Dashboard, timeout.Token);
        builder.Services.AddLogging(logging => BenchLogging.Configure(logging, options.ResourceLogs));
        foreach (var service in builder.Resources.Where(r => r.GetType() == typeof(ExecutableResource)).Cast<ExecutableResource>())
        {
            var resource = builder.CreateResourceBuilder(service);
            foreach (var (key, value) in service.Name == "gateway" ? options.ServiceEnvironment.Concat(options.GatewayEnvironment) : options.ServiceEnvironment)
            {
                resource.WithEnvironment(key, value);
            }
        }

        options.Configure?.Invoke(builder);
        var app = await builder.BuildAsync(timeout.Token);
        var platform = new BenchPlatformStarting(app, state, options.KeepState);
        try
        {
            await app.StartAsync(timeout.Token);
            var model = app.Services.GetRequiredService<DistributedApplicationModel>();
            await Task.WhenAll(model.Resources.Where(IsShown).Select(r => app.ResourceNotifications.WaitForResourceHealthyAsync(r.Name, timeout.Token)));
            var running = new BenchPlatform(app, options, state, gatewayPort, options.Dashboard ? dashboardPort : null);
            Console.WriteLine($"Platform healthy in {started.Elapsed.TotalSeconds:0.0} s: {string.Join(", ", running.Resources)}");
            return running;
        }
        catch (Exception e)
        {
            var states = string.Join(", ", app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Where(IsShown)
                .Select(r => $"{r.Name} {(app.ResourceNotifications.TryGetCurrentState(r.Name, out var s) ? $"{s.Snapshot.State?.Text} {s.Snapshot.HealthStatus}" : "?")}"));
            await platform.DisposeAsync();
            throw new InvalidOperationException($"The platform did not become healthy within {options.StartTimeout.TotalMinutes:0} min ({e.GetType().Name}: {e.Message}). Resources: {states}. State folder: {state}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await new BenchPlatformStarting(_app, StateDirectory, _options.KeepState).DisposeAsync();
    }

    /// <summary>A state the resource's processes are not running in (Unknown: DCP gave up waiting for a stop it asked for).</summary>
    private static bool IsStopped(string? state) => state is null || s_stoppedStates.Contains(state) || state == KnownResourceStates.NotStarted || state == "Unknown";

    private static bool IsAlive(int pid) => ProcessTable.IsAlive(pid);

    private ResourceCommandService Commands => _app.Services.GetRequiredService<ResourceCommandService>();

    /// <summary>The process id of a running resource; null when it is not running or has no process (a database).</summary>
    public int? TryProcessId(string resource) =>
        _app.ResourceNotifications.TryGetCurrentState(resource, out var current)
        && current.Snapshot.State?.Text == KnownResourceStates.Running
        && current.Snapshot.Properties.FirstOrDefault(p => p.Name == PidProperty)?.Value is { } pid
            ? Convert.ToInt32(pid, CultureInfo.InvariantCulture)
            : null;

    /// <summary>
    /// The resources the platform waits for and reports on: not the parameters, the dashboard, the hidden helpers
    /// Aspire adds, or the error queues (each watches a queue, "Empty" while it is, and never turns healthy then).
    /// </summary>
    private static bool IsShown(IResource resource) =>
        resource is not ParameterResource and not InterimPlatform.AppHost.Operations.ErrorQueueResource
        && !resource.Name.StartsWith("aspire-dashboard", StringComparison.Ordinal)
        && !resource.Name.EndsWith("-rebuilder", StringComparison.Ordinal);

    private Dictionary<string, string> ReadJson(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(StateDirectory, file)));
        return document.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }
}

/// <summary>Stops an app and leaves nothing behind: no process of it, and (unless kept) no state folder.</summary>
internal sealed class BenchPlatformStarting(DistributedApplication app, string stateDirectory, bool keepState) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        Console.WriteLine("Stopping the platform ...");
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await app.StopAsync(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException)
        {
            Console.Error.WriteLine($"The app did not stop cleanly: {e.Message}");
        }

        await app.DisposeAsync();
        await LeftoverProcesses.EnsureNoneAsync(Environment.ProcessId, stateDirectory, TimeSpan.FromSeconds(20));
        if (keepState)
        {
            Console.WriteLine($"State folder kept: {stateDirectory}");
        }
        else
        {
            TryDelete(stateDirectory);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Could not delete {directory}: {e.Message}");
        }
    }
}

/// <summary>Processes an app leaves behind, found, waited for and, if they outstay the grace period, killed.</summary>
public static class LeftoverProcesses
{
    /// <summary>
    /// DCP's processes (<c>--monitor PID</c>) and their descendants, and any process naming the state folder (the servers'
    /// data directories), other than <paramref name="appHostPid"/> itself and its ancestors.
    /// </summary>
    public static IReadOnlyList<ProcessEntry> Find(int appHostPid, string? stateDirectory)
    {
        var table = ProcessTable.Read();
        var roots = table.All.Where(p => p.Pid != appHostPid
            && (p.CommandLine.Contains($"--monitor {appHostPid.ToString(CultureInfo.InvariantCulture)}", StringComparison.Ordinal)
                || (stateDirectory is not null && p.CommandLine.Contains(stateDirectory, StringComparison.Ordinal))));
        return [.. table.Trees(roots.Select(p => p.Pid)).Where(p => p.Pid != appHostPid && p.Pid != Environment.ProcessId)];
    }

    /// <summary>Waits up to <paramref name="grace"/> for them to end by themselves, then kills what is left and says so.</summary>
    public static async Task<IReadOnlyList<ProcessEntry>> EnsureNoneAsync(int appHostPid, string? stateDirectory, TimeSpan grace)
    {
        var deadline = DateTime.UtcNow + grace;
        IReadOnlyList<ProcessEntry> left;
        while ((left = Find(appHostPid, stateDirectory)).Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        foreach (var process in left)
        {
            Console.Error.WriteLine($"Left behind, killed: pid {process.Pid} {process.CommandLine}");
            Signals.Kill(process.Pid);
        }

        return left;
    }
}
