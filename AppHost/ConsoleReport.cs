using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using InterimPlatform.AppHost.Operations;
using InterimPlatform.Hosting.NativeServers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace InterimPlatform.AppHost;

/// <summary>
/// What the AppHost prints for a person at a terminal: the dashboard's login link, one line per resource state
/// change, the last log lines of a resource that failed, and once every resource is healthy, where everything is.
/// </summary>
internal sealed class ConsoleReport(IConfiguration configuration, StateFolder state, TimeProvider timeProvider)
{
    /// <summary>Printed once every resource is healthy; tests and scripts wait for it.</summary>
    public const string AllHealthyMarker = "All resources are healthy";

    private readonly ConcurrentDictionary<string, string> _lastLine = new();
    private readonly Lock _gate = new();

    /// <summary>The dashboard's login link: the dashboard's URL with this start's browser token.</summary>
    public string DashboardLoginUrl =>
        $"{(configuration["ASPNETCORE_URLS"] ?? "http://localhost:18888").Split(';')[0].TrimEnd('/')}/login?t={configuration["AppHost:BrowserToken"]}";

    /// <summary>Reports from the moment the app starts (a hosted service would start after Aspire has started everything).</summary>
    public static void Attach(IDistributedApplicationBuilder builder, StateFolder state)
    {
        var report = new ConsoleReport(builder.Configuration, state, TimeProvider.System);
        builder.Eventing.Subscribe<BeforeStartEvent>((e, cancellationToken) =>
        {
            var lifetime = e.Services.GetRequiredService<IHostApplicationLifetime>();
            _ = Task.Run(() => report.RunAsync(e.Services, lifetime.ApplicationStopping));
            return Task.CompletedTask;
        });
    }

    private async Task RunAsync(IServiceProvider services, CancellationToken stoppingToken)
    {
        var started = Stopwatch.GetTimestamp();
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        var model = services.GetRequiredService<DistributedApplicationModel>();
        // Not the parameters, the dashboard itself, the services' broker users (hidden in the dashboard too; a service
        // starts only once its user is ready), or the hidden helpers Aspire adds.
        var shown = model.Resources
            .Where(r => r is not ParameterResource and not ErrorQueueResource and not RabbitMQUserResource && !r.Name.StartsWith("aspire-dashboard", StringComparison.Ordinal) && !r.Name.EndsWith("-rebuilder", StringComparison.Ordinal))
            .Select(r => r.Name)
            .ToHashSet();
        Line($"InterimPlatform AppHost: starting {shown.Count} resources (state folder {state.Path})");
        Line($"Dashboard: {DashboardLoginUrl}");

        var latest = new Dictionary<string, CustomResourceSnapshot>();
        var summarised = false;
        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken).ConfigureAwait(false))
            {
                if (update.Resource is ErrorQueueResource queue)
                {
                    ReportQueue(queue, update.Snapshot);
                    continue;
                }

                if (!shown.Contains(update.Resource.Name) || update.Snapshot.IsHidden)
                {
                    continue;
                }

                latest[update.Resource.Name] = update.Snapshot;
                Report(update.Resource.Name, update.Snapshot);
                if (!summarised && shown.All(name => latest.TryGetValue(name, out var s) && IsHealthy(s)))
                {
                    summarised = true;
                    Summary(model, Stopwatch.GetElapsedTime(started));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    // Degraded serves: a service with failed messages or an engagement in breach is up, and says why below.
    private static bool IsHealthy(CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text == KnownResourceStates.Running && snapshot.HealthStatus is null or HealthStatus.Healthy or HealthStatus.Degraded;

    /// <summary>An error queue is reported when failed messages arrive in it and once it is empty again.</summary>
    private void ReportQueue(ErrorQueueResource queue, CustomResourceSnapshot snapshot)
    {
        if (snapshot.State?.Text is ErrorQueueView.NotReadState)
        {
            return;
        }

        var messages = snapshot.Properties.FirstOrDefault(p => p.Name == ErrorQueueMonitor.MessagesProperty)?.Value as string;
        var line = $"  {queue.Queue.ErrorQueue} {(snapshot.IsHidden ? "is empty" : $"holds {ErrorQueueView.Count(long.Parse(messages ?? "0", CultureInfo.InvariantCulture))}: Peek, Replay or Discard from the dashboard")}";
        var first = !_lastLine.ContainsKey(queue.Name);
        if ((first && snapshot.IsHidden) || (_lastLine.TryGetValue(queue.Name, out var last) && last == line))
        {
            return;
        }

        _lastLine[queue.Name] = line;
        Line(line);
    }

    private void Report(string name, CustomResourceSnapshot snapshot)
    {
        var stateText = snapshot.State?.Text ?? "";
        if (stateText.Length == 0)
        {
            return;
        }

        var details = new List<string>();
        var running = stateText == KnownResourceStates.Running;
        if (running && snapshot.HealthStatus is HealthStatus.Degraded)
        {
            stateText = "Degraded";
            details.AddRange(snapshot.HealthReports.Where(r => r.Status == HealthStatus.Degraded).Select(r => r.Description ?? r.Name));
        }
        else if (running && snapshot.HealthStatus is { } health && health != HealthStatus.Healthy)
        {
            stateText = "Starting";
        }

        if (running && snapshot.Properties.FirstOrDefault(p => p.Name.EndsWith(".pid", StringComparison.Ordinal))?.Value is { } pid)
        {
            details.Add($"pid {pid}");
        }

        if (running && snapshot.HealthStatus is HealthStatus.Healthy && snapshot.Urls.Length > 0)
        {
            details.Add(string.Join(" ", snapshot.Urls.Where(u => !u.IsInternal).Select(u => u.Url)));
        }

        if (snapshot.ExitCode is { } code && !running)
        {
            details.Add($"exit code {code}");
        }

        if (running && snapshot.HealthStatus is HealthStatus.Healthy)
        {
            stateText = "Healthy";
        }

        var line = $"  {name,-16} {stateText,-14} {string.Join("; ", details)}".TrimEnd();
        if (_lastLine.TryGetValue(name, out var last) && last == line)
        {
            return;
        }

        _lastLine[name] = line;
        Line(line);
    }

    private void Summary(DistributedApplicationModel model, TimeSpan elapsed)
    {
        var lines = new List<string>
        {
            $"{AllHealthyMarker} ({elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s).",
            $"  {"Dashboard",-22} {DashboardLoginUrl}   (the link logs in; the token changes at every start)",
        };
        var gatewayPort = PlatformModel.GatewayPort(configuration);
        lines.Add($"  {"Gateway",-22} http://localhost:{gatewayPort}   (health: http://localhost:{gatewayPort}/health; API reference: /api-reference)");

        if (model.Resources.OfType<RabbitMQNodeResource>().FirstOrDefault() is { } rabbit)
        {
            lines.Add($"  {"RabbitMQ management",-22} {rabbit.ManagementUri}   (user {rabbit.UserName})");
            lines.Add($"  {"RabbitMQ AMQP",-22} amqp://127.0.0.1:{rabbit.Ports.Amqp}");
        }

        if (model.Resources.OfType<PostgresServerResource>().FirstOrDefault() is { } postgres)
        {
            lines.Add($"  {"PostgreSQL",-22} 127.0.0.1:{postgres.Port}   (user {PostgresServerResource.SuperUser}; databases {string.Join(", ", model.Resources.OfType<PostgresDatabaseResource>().Select(d => d.DatabaseName))})");
        }

        lines.Add($"  {"Credentials",-22} {Path.Combine(state.Path, InstallationSecrets.SecretsFile)}");
        lines.Add($"  {"",-22} {Path.Combine(state.Path, GatewaySecurity.ApiKeysFile)}");
        lines.Add($"  {"",-22} {Path.Combine(state.Path, PartnerNetworks.CredentialsFile)}");
        lines.Add("Press Ctrl+C to stop. Start with --reset to delete all data and credentials.");
        foreach (var line in lines)
        {
            Line(line);
        }
    }

    private void Line(string text)
    {
        lock (_gate)
        {
            Console.Out.WriteLine($"{timeProvider.GetLocalNow():HH:mm:ss} {text}");
            Console.Out.Flush();
        }
    }
}
