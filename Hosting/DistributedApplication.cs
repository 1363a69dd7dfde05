using System.Reflection;
using InterimPlatform.Hosting.ApplicationModel;
using InterimPlatform.Hosting.Dashboard;
using InterimPlatform.Hosting.Orchestration;
using InterimPlatform.Hosting.State;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace InterimPlatform.Hosting;

/// <summary>
/// Declares the platform's resources, as .NET Aspire's DistributedApplicationBuilder does.
/// Command-line flags of the AppHost: <c>--reset</c> deletes all data and credentials before starting;
/// <c>--state-dir PATH</c> keeps state elsewhere than the repository's <c>.apphost/</c>;
/// <c>--Dashboard:Port=</c>, <c>--Dashboard:OtlpGrpcPort=</c>, <c>--Dashboard:OtlpHttpPort=</c> move the dashboard
/// (defaults 18888, 18889, 18890) and <c>--Dashboard:Enabled=false</c> runs without it.
/// </summary>
public sealed class DistributedApplicationBuilder
{
    private readonly HostApplicationBuilder _host;
    private readonly List<Resource> _resources = [];
    private readonly bool _reset;
    private readonly string? _stateDirectory;

    internal DistributedApplicationBuilder(string[] args)
    {
        var remaining = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--reset":
                    _reset = true;
                    break;
                case "--state-dir" when i + 1 < args.Length:
                    _stateDirectory = args[++i];
                    break;
                default:
                    remaining.Add(args[i]);
                    break;
            }
        }

        _host = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [.. remaining],
            ContentRootPath = AppContext.BaseDirectory,
        });
        AppHostDirectory = Assembly.GetEntryAssembly()?.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "AppHostProjectDirectory")?.Value ?? Directory.GetCurrentDirectory();
    }

    public IConfigurationManager Configuration => _host.Configuration;

    public IServiceCollection Services => _host.Services;

    /// <summary>The AppHost project's folder: project paths are relative to it.</summary>
    public string AppHostDirectory { get; }

    public IReadOnlyList<Resource> Resources => _resources;

    /// <summary>What the hosted dashboard's pages need from this app model (gateway keys, partner networks).</summary>
    public DashboardIntegration Dashboard { get; } = new();

    public ResourceBuilder<T> AddResource<T>(T resource) where T : Resource
    {
        EnsureNameIsFree(resource.Name);
        _resources.Add(resource);
        return new ResourceBuilder<T>(this, resource);
    }

    private void EnsureNameIsFree(string name)
    {
        if (_resources.Any(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException($"A resource named '{name}' is already declared.");
        }
    }

    public DistributedApplication Build()
    {
        AddReplicas();
        var stateDirectory = _stateDirectory ?? Configuration["StateDirectory"] ?? Path.Combine(AppHostDirectory, "..", ".apphost");
        var otlpEndpoint = Configuration["DOTNET_DASHBOARD_OTLP_ENDPOINT_URL"] ?? Configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"];
        var options = new OrchestratorOptions(
            Path.GetFullPath(stateDirectory),
            _reset,
            BuildConfiguration: Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug",
            Otlp: otlpEndpoint is { Length: > 0 } ? new OtlpSettings(otlpEndpoint, Configuration["AppHost:OtlpApiKey"]) : null,
            // The AppHost hosts its dashboard unless told to send telemetry elsewhere or to run without one.
            Dashboard: otlpEndpoint is { Length: > 0 } || !Configuration.GetValue("Dashboard:Enabled", true)
                ? null
                : new DashboardSettings(
                    Configuration.GetValue("Dashboard:Port", 18888),
                    Configuration.GetValue("Dashboard:OtlpGrpcPort", 18889),
                    Configuration.GetValue("Dashboard:OtlpHttpPort", 18890)) { Integration = Dashboard });

        var states = new ResourceStateStore();
        Services.AddSingleton(states);
        Services.TryAddSingleton(TimeProvider.System);
        Services.AddSingleton(new DistributedApplicationModel(_resources));
        Services.AddSingleton(options);
        Services.AddSingleton<Orchestrator>();
        Services.AddHostedService(sp => sp.GetRequiredService<Orchestrator>());
        // Stopping services, then RabbitMQ, then PostgreSQL cleanly takes a while.
        Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(90));
        return new DistributedApplication(_host.Build(), states);
    }

    /// <summary>Makes each replica a resource of its own, right after the project it copies; whatever waits for a project waits for all its instances.</summary>
    private void AddReplicas()
    {
        foreach (var project in _resources.OfType<ProjectResource>().Where(p => p.Replicas > 1 && p.ReplicaInstances.Count == 0).ToList())
        {
            if (project.FixedPort is not null)
            {
                throw new InvalidOperationException($"'{project.Name}' has a fixed port and cannot have replicas: they would share it.");
            }

            var replicas = Enumerable.Range(2, project.Replicas - 1).Select(project.CreateReplica).ToList();
            foreach (var replica in replicas)
            {
                EnsureNameIsFree(replica.Name);
            }

            _resources.InsertRange(_resources.IndexOf(project) + 1, replicas);
        }

        foreach (var resource in _resources)
        {
            var waits = resource.WaitsFor.OfType<ProjectResource>().SelectMany(p => p.ReplicaInstances).Except(resource.WaitsFor).ToList();
            resource.WaitsFor.AddRange(waits);
        }
    }
}

/// <summary>The declared resources.</summary>
public sealed record DistributedApplicationModel(IReadOnlyList<Resource> Resources);

/// <summary>A built app model, ready to run (Aspire's DistributedApplication).</summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    private readonly IHost _host;

    internal DistributedApplication(IHost host, ResourceStateStore states)
    {
        _host = host;
        ResourceStates = states;
    }

    /// <summary>Live state of every resource.</summary>
    public ResourceStateStore ResourceStates { get; }

    public IServiceProvider Services => _host.Services;

    public static DistributedApplicationBuilder CreateBuilder(string[] args) => new(args);

    /// <summary>Starts the resources and returns at once; <see cref="ResourceStates"/> follows them (Aspire's StartAsync).</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => _host.StartAsync(cancellationToken);

    /// <summary>Stops every resource in reverse dependency order.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _host.StopAsync(cancellationToken);

    /// <summary>Starts, stops or restarts a resource, as the dashboard's buttons do; returns once a start is healthy.</summary>
    public Task ExecuteCommandAsync(string resourceName, InterimPlatform.Dashboard.Resources.ResourceCommand command, CancellationToken cancellationToken = default) =>
        _host.Services.GetRequiredService<Orchestrator>().ExecuteAsync(resourceName, command, cancellationToken);

    /// <summary>Runs until Ctrl+C or SIGTERM, then stops every resource in reverse dependency order.</summary>
    public void Run() => RunAsync().GetAwaiter().GetResult();

    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        var orchestrator = _host.Services.GetRequiredService<Orchestrator>();
        try
        {
            await _host.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (StateFolderInUseException e)
        {
            await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            Environment.ExitCode = 2;
        }

        if (orchestrator.Failed)
        {
            Environment.ExitCode = Environment.ExitCode == 0 ? 1 : Environment.ExitCode;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            _host.Dispose();
        }
    }
}
