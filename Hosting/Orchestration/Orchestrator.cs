using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using InterimPlatform.Hosting.ApplicationModel;
using InterimPlatform.Dashboard.Resources;
using InterimPlatform.Hosting.Dashboard;
using InterimPlatform.Hosting.Processes;
using InterimPlatform.Hosting.Servers;
using InterimPlatform.Hosting.State;
using Microsoft.Extensions.Hosting;

namespace InterimPlatform.Hosting.Orchestration;

/// <param name="Otlp">An external OTLP endpoint (an Aspire dashboard's); ignored when <paramref name="Dashboard"/> is set.</param>
/// <param name="Dashboard">The dashboard the AppHost hosts itself, and its ports; null to run without one.</param>
public sealed record OrchestratorOptions(string StateDirectory, bool Reset, string BuildConfiguration, OtlpSettings? Otlp, DashboardSettings? Dashboard = null);

/// <summary>
/// Starts every resource once what it waits for is healthy, watches them, and on shutdown stops them
/// in reverse dependency order: services, then RabbitMQ and the databases, then PostgreSQL. While running,
/// it starts, stops and restarts projects, PostgreSQL and RabbitMQ on command (the dashboard's buttons).
/// </summary>
internal sealed class Orchestrator(
    DistributedApplicationModel model,
    OrchestratorOptions options,
    ResourceStateStore states,
    IHostApplicationLifetime lifetime,
    TimeProvider timeProvider) : IHostedService
{
    private const string DatabaseCredentialsFile = "databases.json";
    private static readonly TimeSpan ServerStartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan ProjectStartTimeout = TimeSpan.FromSeconds(120);

    private readonly ConcurrentDictionary<Resource, TaskCompletionSource> _healthy = new();
    private readonly ConcurrentDictionary<Resource, object> _running = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConsoleReporter _console = new(timeProvider);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _commandGates = new(StringComparer.Ordinal);
    // One service.instance.id per project for the whole run, as Aspire keeps a resource's name across restarts:
    // a restarted service is the same resource in the telemetry, not a new replica beside the old one.
    private readonly ConcurrentDictionary<ProjectResource, string> _instanceIds = new();
    private StateFolder? _state;
    private ResourceLogStore? _logs;
    private PlatformSecrets? _secrets;
    private AppHostDashboard? _dashboard;
    private OtlpSettings? _otlp = options.Otlp;
    private Task _run = Task.CompletedTask;
    private (PostgresBinaries? Postgres, RabbitMQBinaries? RabbitMQ) _binaries;

    internal DistributedApplicationModel Model => model;

    internal ResourceStateStore States => states;

    /// <summary>The resources' console output; null until the AppHost has started.</summary>
    internal ResourceLogStore? Logs => _logs;

    /// <summary>The link that logs into the dashboard, once it is up.</summary>
    public string? DashboardLoginUrl => _dashboard?.LoginUrl;

    /// <summary>True when the AppHost could not run at all (a missing server binary, for example).</summary>
    public bool Failed { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _state = StateFolder.Acquire(options.StateDirectory);
        if (options.Reset)
        {
            _state.Reset();
            _console.Line($"Reset: deleted all data and credentials in {_state.Path}.");
        }

        _secrets = _state.LoadOrCreateSecrets();
        _logs = new ResourceLogStore(Path.Combine(_state.Path, "logs"), timeProvider: timeProvider);
        foreach (var resource in model.Resources)
        {
            _healthy[resource] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            states.Add(new ResourceSnapshot(resource.Name, resource.Type, KnownResourceStates.NotStarted)
            {
                WaitsFor = [.. Dependencies(resource).Select(d => d.Name)],
            });
        }

        _run = RunAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        _console.Line($"InterimPlatform AppHost: starting {model.Resources.Count} resources (state folder {_state!.Path})");
        try
        {
            await StartDashboardAsync(cancellationToken).ConfigureAwait(false);
            Allocate();
            _binaries = await FindBinariesAsync(cancellationToken).ConfigureAwait(false);
            var runs = model.Resources.Select(r => RunResourceAsync(r, _binaries, cancellationToken)).ToList();
            try
            {
                await Task.WhenAll(_healthy.Values.Select(t => t.Task)).ConfigureAwait(false);
                _console.Summary(model, _state, _secrets!, timeProvider.GetElapsedTime(started), _dashboard?.LoginUrl);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                var failed = states.Snapshots.Where(s => s.State == KnownResourceStates.FailedToStart).Select(s => s.Name);
                _console.Line($"Not every resource started ({string.Join(", ", failed)} failed). The others keep running; logs are in {Path.Combine(_state.Path, "logs")}. Press Ctrl+C to stop.");
            }

            await Task.WhenAll(runs).ConfigureAwait(false);
            await WatchHealthAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (ServerBinaryMissingException e)
        {
            Failed = true;
            _console.Line(e.Message);
            lifetime.StopApplication();
        }
        catch (DashboardUnavailableException e)
        {
            Failed = true;
            _console.Line(e.Message);
            lifetime.StopApplication();
        }
    }

    /// <summary>
    /// Starts the dashboard before any resource, as Aspire does, so every service is given its OTLP
    /// endpoint and key and its first telemetry has somewhere to go.
    /// </summary>
    private async Task StartDashboardAsync(CancellationToken cancellationToken)
    {
        if (options.Dashboard is not { } settings)
        {
            return;
        }

        _dashboard = new AppHostDashboard(settings, model, new OrchestratorResourceSource(this), timeProvider);
        _otlp = await _dashboard.StartAsync(_state!, _secrets!, cancellationToken).ConfigureAwait(false);
        _console.Line($"Dashboard: {_dashboard.LoginUrl}");
    }

    private void Allocate()
    {
        foreach (var resource in model.Resources)
        {
            switch (resource)
            {
                case PostgresServerResource postgres:
                    postgres.Port = PortAllocator.GetFreePort();
                    postgres.Password = _secrets!.PostgresPassword;
                    var owners = _state!.LoadOrCreateCredentials(DatabaseCredentialsFile, postgres.Databases.Select(d => d.OwnerRole));
                    foreach (var database in postgres.Databases)
                    {
                        database.OwnerPassword = owners[database.OwnerRole];
                    }

                    break;
                case RabbitMQServerResource rabbit:
                    rabbit.NodeOptions = new RabbitMQNodeOptions(_state!.ResourceDirectory(rabbit.Name), _secrets!.RabbitMQUser, _secrets.RabbitMQPassword)
                    {
                        ManagementPlugin = rabbit.ManagementPlugin,
                        AmqpPort = rabbit.AmqpPort ?? PortAllocator.GetFreePort(),
                    };
                    break;
                case ProjectResource project:
                    project.Port = project.FixedPort ?? PortAllocator.GetFreePort();
                    break;
            }
        }
    }

    private async Task<(PostgresBinaries? Postgres, RabbitMQBinaries? RabbitMQ)> FindBinariesAsync(CancellationToken cancellationToken)
    {
        var postgres = model.Resources.OfType<PostgresServerResource>().Any()
            ? await ServerBinaries.FindPostgresAsync(_console.Line, cancellationToken).ConfigureAwait(false)
            : null;
        var rabbit = model.Resources.OfType<RabbitMQServerResource>().Any()
            ? await ServerBinaries.FindRabbitMQAsync(_console.Line, cancellationToken).ConfigureAwait(false)
            : null;
        return (postgres, rabbit);
    }

    private async Task RunResourceAsync(Resource resource, (PostgresBinaries? Postgres, RabbitMQBinaries? RabbitMQ) binaries, CancellationToken cancellationToken)
    {
        var healthy = _healthy[resource];
        try
        {
            var dependencies = Dependencies(resource).ToList();
            if (dependencies.Count > 0)
            {
                SetState(resource, s => s with { State = KnownResourceStates.Waiting, Reason = $"waiting for {string.Join(", ", dependencies.Select(d => d.Name))}" });
                foreach (var dependency in dependencies)
                {
                    try
                    {
                        await _healthy[dependency].Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw new InvalidOperationException($"{dependency.Name} failed to start");
                    }
                }
            }

            SetState(resource, s => s with { State = KnownResourceStates.Starting, Reason = null });
            var output = (string line) => _logs!.Append(resource.Name, line);
            switch (resource)
            {
                case PostgresServerResource postgres:
                    await StartPostgresAsync(postgres, binaries.Postgres!, output, firstStart: true, cancellationToken).ConfigureAwait(false);
                    break;
                case PostgresDatabaseResource database:
                    await StartDatabaseAsync(database, cancellationToken).ConfigureAwait(false);
                    break;
                case RabbitMQServerResource rabbit:
                    await StartRabbitMQAsync(rabbit, binaries.RabbitMQ!, output, firstStart: true, cancellationToken).ConfigureAwait(false);
                    break;
                case ProjectResource project:
                    await StartProjectAsync(project, output, cancellationToken).ConfigureAwait(false);
                    break;
            }

            healthy.TrySetResult();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            healthy.TrySetCanceled(cancellationToken);
        }
        catch (Exception e)
        {
            SetState(resource, s => s with { State = KnownResourceStates.FailedToStart, Health = HealthStatus.Unhealthy, Reason = e.Message });
            _console.LogTail(resource.Name, _logs!);
            healthy.TrySetException(e);
        }
    }

    /// <param name="firstStart">False for a start by command: the data of this run stays, persistent or not.</param>
    private async Task StartPostgresAsync(PostgresServerResource resource, PostgresBinaries binaries, Action<string> output, bool firstStart, CancellationToken cancellationToken)
    {
        var directory = _state!.ResourceDirectory(resource.Name);
        if (firstStart && !resource.PersistentData && Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        var server = await PostgresServer.StartAsync(binaries, new PostgresServerOptions(directory, resource.Port, resource.Password), ProcessWatchdog.Shared, output, cancellationToken).ConfigureAwait(false);
        _running[resource] = server;
        SetState(resource, s => s with { ProcessId = server.Process.ProcessId, Urls = [$"tcp://127.0.0.1:{resource.Port}"] });
        WatchExit(resource, server.Process);
        await server.WaitUntilReadyAsync(ServerStartTimeout, cancellationToken).ConfigureAwait(false);
        SetState(resource, s => s with { State = KnownResourceStates.Running, Health = HealthStatus.Healthy, StartedAt = timeProvider.GetUtcNow() });
    }

    private async Task StartRabbitMQAsync(RabbitMQServerResource resource, RabbitMQBinaries binaries, Action<string> output, bool firstStart, CancellationToken cancellationToken)
    {
        var options = resource.NodeOptions!;
        if (firstStart && !resource.PersistentData && Directory.Exists(options.BaseDirectory))
        {
            Directory.Delete(options.BaseDirectory, recursive: true);
        }

        if (resource.AmqpPort is { } fixedPort && !PortAllocator.IsFree(fixedPort))
        {
            throw new InvalidOperationException($"port {fixedPort} is already in use (another RabbitMQ or AppHost?); choose another with --Messaging:AmqpPort=<port>");
        }

        var node = await RabbitMQNode.StartAsync(binaries, options, ProcessWatchdog.Shared, output, cancellationToken).ConfigureAwait(false);
        _running[resource] = node;
        ImmutableArray<string> urls = resource.ManagementUrl is { } management ? [$"amqp://127.0.0.1:{options.AmqpPort}", management] : [$"amqp://127.0.0.1:{options.AmqpPort}"];
        SetState(resource, s => s with { ProcessId = node.Process.ProcessId, Urls = urls });
        WatchExit(resource, node.Process);
        await node.WaitUntilReadyAsync(ServerStartTimeout, cancellationToken).ConfigureAwait(false);
        foreach (var provisioning in resource.Provisioning.Select(p => p(_state!)))
        {
            await RabbitMQTopology.ApplyAsync(node, provisioning.Exchanges, provisioning.Queues, provisioning.Users, cancellationToken).ConfigureAwait(false);
        }

        SetState(resource, s => s with { State = KnownResourceStates.Running, Health = HealthStatus.Healthy, StartedAt = timeProvider.GetUtcNow() });
    }

    private async Task StartProjectAsync(ProjectResource project, Action<string> output, CancellationToken cancellationToken)
    {
        if (project.FixedPort is { } fixedPort && !PortAllocator.IsFree(fixedPort))
        {
            throw new InvalidOperationException($"port {fixedPort} is already in use (another AppHost?); choose another with --Gateway:Port=<port>");
        }

        var (fileName, arguments) = ResolveExecutable(project);
        var environment = new Dictionary<string, string>(ProjectEnvironment.Build(project, _instanceIds.GetOrAdd(project, _ => Guid.NewGuid().ToString("N")[..8]), _otlp));
        foreach (var (name, value) in project.StateEnvironment)
        {
            environment[name] = value(_state!);
        }

        var process = ManagedProcess.Start(
            new ManagedProcessStartInfo(fileName, arguments)
            {
                Environment = environment,
                WorkingDirectory = Path.GetDirectoryName(project.ProjectPath),
                Output = output,
                ErrorOutput = line => _logs!.Append(project.Name, line, isError: true),
            },
            ProcessWatchdog.Shared);
        _running[project] = process;
        SetState(project, s => s with { ProcessId = process.ProcessId, Urls = [project.HttpUrl], Environment = environment.ToImmutableDictionary() });
        WatchExit(project, process);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var healthUrl = new Uri($"http://127.0.0.1:{project.Port}{project.HealthPath}");
        var deadline = timeProvider.GetTimestamp();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"exited with code {await process.Exited.ConfigureAwait(false)} before it was healthy");
            }

            if (timeProvider.GetElapsedTime(deadline) > ProjectStartTimeout)
            {
                throw new TimeoutException($"not healthy at {healthUrl} after {ProjectStartTimeout.TotalSeconds:0} s");
            }

            try
            {
                using var response = await http.GetAsync(healthUrl, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // not listening yet
            }

            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }

        SetState(project, s => s with { State = KnownResourceStates.Running, Health = HealthStatus.Healthy, StartedAt = timeProvider.GetUtcNow() });
    }

    /// <summary>The project's build output: its native launcher when there is one, otherwise <c>dotnet</c> with the dll.</summary>
    private (string FileName, IReadOnlyList<string> Arguments) ResolveExecutable(ProjectResource project)
    {
        var name = Path.GetFileNameWithoutExtension(project.ProjectPath);
        var framework = $"net{Environment.Version.Major}.{Environment.Version.Minor}";
        var output = Path.Combine(Path.GetDirectoryName(project.ProjectPath)!, "bin", options.BuildConfiguration, framework);
        var launcher = Path.Combine(output, name);
        var assembly = Path.Combine(output, name + ".dll");
        if (!File.Exists(assembly))
        {
            throw new FileNotFoundException($"{assembly} is missing: build first with 'dotnet build -c {options.BuildConfiguration}' (dotnet run --project AppHost builds every project it references)");
        }

        if (File.Exists(launcher))
        {
            return (launcher, []);
        }

        return (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [assembly]);
    }

    /// <summary>Reports a process that exits on its own; an exit the orchestrator asked for is reported by the stop itself.</summary>
    private void WatchExit(Resource resource, ManagedProcess process)
    {
        _ = process.Exited.ContinueWith(
            task =>
            {
                // Only a crash of the process that still runs for the resource: every stop, by a command or at
                // shutdown, takes it out of _running first, and a restart puts the new one in.
                if (_stopping.IsCancellationRequested || !_running.TryGetValue(resource, out var current) || !ReferenceEquals(ProcessOf(current), process))
                {
                    return;
                }

                SetState(resource, s => s with
                {
                    State = KnownResourceStates.Exited,
                    ExitCode = task.Result,
                    Health = HealthStatus.Unknown,
                    StoppedAt = timeProvider.GetUtcNow(),
                    Reason = "exited unexpectedly",
                });
                SetDatabasesUnavailable(resource, "exited unexpectedly");
                _console.LogTail(resource.Name, _logs!);
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException)
        {
        }

        // A command still running (a restart half way) ends first, so what it started is stopped below.
        foreach (var gate in _commandGates.Values)
        {
            await gate.WaitAsync(TimeSpan.FromSeconds(60), CancellationToken.None).ConfigureAwait(false);
        }

        _console.Line("Stopping: services first, then RabbitMQ and PostgreSQL...");
        var stops = new ConcurrentDictionary<Resource, Lazy<Task>>();
        Task Stop(Resource resource) => stops.GetOrAdd(resource, r => new Lazy<Task>(() => StopResourceAsync(r, Stop))).Value;
        await Task.WhenAll(model.Resources.Select(Stop)).ConfigureAwait(false);
        _console.Line("All resources stopped.");
        if (_dashboard is not null)
        {
            // Last: it receives the services' final telemetry while they stop.
            await _dashboard.DisposeAsync().ConfigureAwait(false);
        }

        _state?.Dispose();
    }

    private async Task StopResourceAsync(Resource resource, Func<Resource, Task> stop)
    {
        // Everything that depends on this resource stops first.
        var dependents = model.Resources.Where(r => Dependencies(r).Contains(resource)).ToList();
        await Task.WhenAll(dependents.Select(stop)).ConfigureAwait(false);
        if (!_running.TryRemove(resource, out var running))
        {
            if (resource is PostgresDatabaseResource && states.Get(resource.Name)?.State == KnownResourceStates.Running)
            {
                SetState(resource, s => s with { State = KnownResourceStates.Finished, Health = HealthStatus.Unknown, StoppedAt = timeProvider.GetUtcNow() });
            }

            return;
        }

        SetState(resource, s => s with { State = KnownResourceStates.Stopping });
        var exitCode = await StopRunningAsync(running).ConfigureAwait(false);
        SetState(resource, s => s with { State = KnownResourceStates.Finished, ExitCode = exitCode, Health = HealthStatus.Unknown, StoppedAt = timeProvider.GetUtcNow() });
    }

    /// <summary>Stops what runs for a resource (a server's helper processes too) and returns the main process's exit code.</summary>
    private static async Task<int> StopRunningAsync(object running)
    {
        switch (running)
        {
            case PostgresServer server:
                await server.StopAsync().ConfigureAwait(false);
                return await server.Process.Exited.ConfigureAwait(false);
            case RabbitMQNode node:
                await node.StopAsync().ConfigureAwait(false);
                return await node.Process.Exited.ConfigureAwait(false);
            default:
                var process = (ManagedProcess)running;
                await process.StopAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
                return await process.Exited.ConfigureAwait(false);
        }
    }

    private static ManagedProcess ProcessOf(object running) => running switch
    {
        PostgresServer server => server.Process,
        RabbitMQNode node => node.Process,
        _ => (ManagedProcess)running,
    };

    private IEnumerable<PostgresDatabaseResource> DatabasesOf(Resource server) =>
        model.Resources.OfType<PostgresDatabaseResource>().Where(d => d.Server == server);

    /// <summary>Creates the database and its owner if they are missing (idempotent), then shows it Running.</summary>
    private async Task StartDatabaseAsync(PostgresDatabaseResource database, CancellationToken cancellationToken)
    {
        await ((PostgresServer)_running[database.Server]).EnsureDatabaseAsync(database.DatabaseName, cancellationToken, database.OwnerRole, database.OwnerPassword).ConfigureAwait(false);
        SetState(database, s => s with { State = KnownResourceStates.Running, Health = HealthStatus.Healthy, Reason = null, StartedAt = timeProvider.GetUtcNow() });
    }

    /// <summary>A server's databases cannot be reached while it is down; they show it and wait for it.</summary>
    private void SetDatabasesUnavailable(Resource server, string why)
    {
        foreach (var database in DatabasesOf(server))
        {
            SetState(database, s => s with { State = KnownResourceStates.Waiting, Health = HealthStatus.Unknown, Reason = $"{server.Name} {why}" });
        }
    }

    /// <summary>
    /// Keeps each running project's health current (Aspire re-checks health while a resource runs): its
    /// <c>/health</c> every 5 s. A failing check turns Health to Unhealthy without changing the state, so a
    /// service that lost its database shows it on the dashboard while its process still runs.
    /// </summary>
    private async Task WatchHealthAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5), timeProvider);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var project in model.Resources.OfType<ProjectResource>())
            {
                if (states.Get(project.Name)?.State != KnownResourceStates.Running)
                {
                    continue;
                }

                HealthStatus health;
                try
                {
                    using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{project.Port}{project.HealthPath}"), cancellationToken).ConfigureAwait(false);
                    health = response.IsSuccessStatusCode ? HealthStatus.Healthy : HealthStatus.Unhealthy;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    health = HealthStatus.Unhealthy;
                }

                // Only while still Running: a command may have stopped it during the request.
                if (states.Get(project.Name) is { State: KnownResourceStates.Running } current && current.Health != health)
                {
                    states.Update(project.Name, s => s.State == KnownResourceStates.Running ? s with { Health = health } : s);
                }
            }
        }
    }

    /// <summary>
    /// Starts, stops or restarts a project, PostgreSQL or RabbitMQ (the dashboard's commands), one command per
    /// resource at a time. Ports, data and credentials stay the same, so whatever references the resource reaches
    /// the new process unchanged: services reconnect by themselves, as they must after any outage of a server.
    /// Stopping a server leaves the services that use it running (they report themselves unhealthy), as
    /// stopping a container does under Aspire. Throws <see cref="InvalidOperationException"/> when the command
    /// does not apply now.
    /// </summary>
    internal async Task ExecuteAsync(string name, ResourceCommand command, CancellationToken cancellationToken)
    {
        var resource = model.Resources.FirstOrDefault(r => r.Name == name) ?? throw new InvalidOperationException($"There is no resource named '{name}'.");
        if (!HasCommands(resource))
        {
            throw new InvalidOperationException($"{name} is a {resource.Type}: it is started and stopped with its server.");
        }

        if (resource is not ProjectResource && !_healthy.Values.All(h => h.Task.IsCompleted))
        {
            // The AppHost is still creating the databases and the broker's users on them.
            throw new InvalidOperationException($"{name}: servers can be stopped and restarted once the platform has started.");
        }

        if (_stopping.IsCancellationRequested)
        {
            throw new InvalidOperationException("The AppHost is stopping.");
        }

        var gate = _commandGates.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_stopping.IsCancellationRequested)
            {
                throw new InvalidOperationException("The AppHost is stopping.");
            }

            var state = states.Get(name)?.State;
            if (!CommandsFor(resource, state).Contains(command))
            {
                throw new InvalidOperationException($"{name} is {state}: {command} does not apply.");
            }

            if (command is ResourceCommand.Stop or ResourceCommand.Restart)
            {
                await StopByCommandAsync(resource).ConfigureAwait(false);
            }

            if (command is ResourceCommand.Start or ResourceCommand.Restart)
            {
                await StartByCommandAsync(resource).ConfigureAwait(false);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The commands that make sense for a resource in <paramref name="state"/>.</summary>
    internal static IReadOnlyList<ResourceCommand> CommandsFor(Resource resource, string? state) => !HasCommands(resource)
        ? []
        : state switch
        {
            KnownResourceStates.Running or KnownResourceStates.RuntimeUnhealthy => [ResourceCommand.Stop, ResourceCommand.Restart],
            KnownResourceStates.Exited or KnownResourceStates.Finished or KnownResourceStates.FailedToStart => [ResourceCommand.Start],
            _ => [],
        };

    /// <summary>Databases are not processes: they come and go with their PostgreSQL server.</summary>
    private static bool HasCommands(Resource resource) => resource is ProjectResource or PostgresServerResource or RabbitMQServerResource;

    private async Task StopByCommandAsync(Resource resource)
    {
        if (!_running.TryRemove(resource, out var running))
        {
            return;
        }

        SetState(resource, s => s with { State = KnownResourceStates.Stopping, Reason = null });
        var exitCode = await StopRunningAsync(running).ConfigureAwait(false);
        SetDatabasesUnavailable(resource, "was stopped by a command");
        SetState(resource, s => s with
        {
            State = KnownResourceStates.Exited,
            ExitCode = exitCode,
            Health = HealthStatus.Unknown,
            StoppedAt = timeProvider.GetUtcNow(),
            Reason = "stopped by a command",
        });
    }

    private async Task StartByCommandAsync(Resource resource)
    {
        // A process that crashed is still listed as running: clear it up (a server's helpers, such as RabbitMQ's
        // epmd, may outlive it) before starting the new one.
        if (_running.TryRemove(resource, out var crashed))
        {
            await StopRunningAsync(crashed).ConfigureAwait(false);
        }

        SetState(resource, s => s with
        {
            State = KnownResourceStates.Starting,
            Restarts = s.StartedAt is null ? s.Restarts : s.Restarts + 1,
            ProcessId = null,
            ExitCode = null,
            StoppedAt = null,
            Health = HealthStatus.Unknown,
            Reason = null,
        });
        try
        {
            // Only the AppHost's shutdown cancels a start: a closed browser tab must not leave it half done.
            _stopping.Token.ThrowIfCancellationRequested();
            var output = (string line) => _logs!.Append(resource.Name, line);
            switch (resource)
            {
                case ProjectResource project:
                    await StartProjectAsync(project, output, _stopping.Token).ConfigureAwait(false);
                    break;
                case PostgresServerResource postgres:
                    await StartPostgresAsync(postgres, _binaries.Postgres!, output, firstStart: false, _stopping.Token).ConfigureAwait(false);
                    foreach (var database in DatabasesOf(postgres))
                    {
                        await StartDatabaseAsync(database, _stopping.Token).ConfigureAwait(false);
                    }

                    break;
                case RabbitMQServerResource rabbit:
                    await StartRabbitMQAsync(rabbit, _binaries.RabbitMQ!, output, firstStart: false, _stopping.Token).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception e) when (!_stopping.IsCancellationRequested)
        {
            SetState(resource, s => s with { State = KnownResourceStates.FailedToStart, Health = HealthStatus.Unhealthy, Reason = e.Message });
            _console.LogTail(resource.Name, _logs!);
            throw new InvalidOperationException($"{resource.Name} failed to start: {e.Message}", e);
        }
    }

    private static IEnumerable<Resource> Dependencies(Resource resource) =>
        resource.Parent is { } parent ? resource.WaitsFor.Prepend(parent).Distinct() : resource.WaitsFor.Distinct();

    private void SetState(Resource resource, Func<ResourceSnapshot, ResourceSnapshot> change)
    {
        var before = states.Get(resource.Name);
        var after = states.Update(resource.Name, change);
        if (before?.State != after.State)
        {
            _console.State(after);
        }
    }
}
