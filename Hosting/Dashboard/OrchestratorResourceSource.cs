using System.Runtime.CompilerServices;
using System.Text.Json;
using InterimPlatform.Dashboard.Resources;
using InterimPlatform.Hosting.ApplicationModel;
using InterimPlatform.Hosting.Orchestration;

namespace InterimPlatform.Hosting.Dashboard;

/// <summary>
/// The dashboard's view of the orchestrator (what Aspire's resource service gives its dashboard): the
/// resource states, their console output and the start / stop / restart commands.
/// </summary>
internal sealed class OrchestratorResourceSource(Orchestrator orchestrator) : IResourceSource
{
    private static readonly HttpClient s_health = new();

    public IReadOnlyList<DashboardResource> Resources => [.. orchestrator.States.Snapshots.Select(Map)];

    public async IAsyncEnumerable<DashboardResource> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var snapshot in orchestrator.States.WatchAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return Map(snapshot);
        }
    }

    public IReadOnlyList<ConsoleLine> ConsoleTail(string resource, int count) =>
        orchestrator.Logs is { } logs ? [.. logs.Lines(resource, count).Select(ToConsoleLine)] : [];

    public async IAsyncEnumerable<ConsoleLine> WatchConsoleAsync(string resource, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Only the model's resources: a name from a URL must not create a log (and its file) of its own.
        if (orchestrator.Logs is not { } logs || !orchestrator.Model.Resources.Any(r => r.Name == resource))
        {
            yield break;
        }

        await foreach (var line in logs.WatchAsync(resource, cancellationToken).ConfigureAwait(false))
        {
            yield return ToConsoleLine(line);
        }
    }

    public async Task<CommandResult> ExecuteAsync(string resource, ResourceCommand command, CancellationToken cancellationToken)
    {
        try
        {
            await orchestrator.ExecuteAsync(resource, command, cancellationToken).ConfigureAwait(false);
            return new CommandResult(true);
        }
        catch (InvalidOperationException e)
        {
            return new CommandResult(false, e.Message);
        }
        catch (OperationCanceledException)
        {
            // The page closed while waiting for another command on the resource, or the AppHost is stopping.
            return new CommandResult(false, "cancelled");
        }
    }

    /// <summary>A running project's own <c>/health</c> report, check by check; the orchestrator's view for anything else.</summary>
    public async Task<IReadOnlyList<HealthReport>> CheckHealthAsync(string resource, CancellationToken cancellationToken)
    {
        var snapshot = orchestrator.States.Get(resource);
        if (snapshot is null)
        {
            return [];
        }

        if (orchestrator.Model.Resources.FirstOrDefault(r => r.Name == resource) is not ProjectResource project || snapshot.State != KnownResourceStates.Running)
        {
            return Map(snapshot).HealthReports;
        }

        var check = $"GET {project.HealthPath}";
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            using var response = await s_health.GetAsync(new Uri($"http://127.0.0.1:{project.Port}{project.HealthPath}"), timeout.Token).ConfigureAwait(false);
            using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false), cancellationToken: timeout.Token).ConfigureAwait(false);
            var reports = new List<HealthReport>();
            if (body.RootElement.TryGetProperty("checks", out var checks) && checks.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in checks.EnumerateObject())
                {
                    reports.Add(new HealthReport(
                        entry.Name,
                        entry.Value.TryGetProperty("status", out var status) ? status.GetString() ?? "Unknown" : "Unknown",
                        entry.Value.TryGetProperty("description", out var description) ? description.GetString() : null));
                }
            }

            var overall = body.RootElement.TryGetProperty("status", out var total) ? total.GetString() : null;
            return [new HealthReport(check, overall ?? ((int)response.StatusCode < 300 ? "Healthy" : "Unhealthy"), $"HTTP {(int)response.StatusCode}"), .. reports];
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return [new HealthReport(check, "Unhealthy", e.Message)];
        }
    }

    private static ConsoleLine ToConsoleLine(ResourceLogLine line) => new(line.Number, line.Timestamp, line.Text, line.IsError);

    internal DashboardResource Map(ResourceSnapshot snapshot)
    {
        var resource = orchestrator.Model.Resources.FirstOrDefault(r => r.Name == snapshot.Name);
        return new DashboardResource(
            snapshot.Name,
            snapshot.Type,
            snapshot.State,
            snapshot.Health.ToString(),
            snapshot.ProcessId,
            snapshot.ExitCode,
            snapshot.StartedAt,
            snapshot.StoppedAt,
            snapshot.Restarts,
            snapshot.Urls,
            resource is null ? snapshot.WaitsFor : References(resource),
            snapshot.Environment,
            HealthReports(resource, snapshot),
            resource is null ? [] : Orchestrator.CommandsFor(resource, snapshot.State),
            snapshot.Reason);
    }

    /// <summary>What the resource needs: its parent, what it waits for, and what it is given connection strings or service URLs for.</summary>
    private static IReadOnlyList<string> References(Resource resource)
    {
        var names = new List<string>();
        if (resource.Parent is { } parent)
        {
            names.Add(parent.Name);
        }

        names.AddRange(resource.WaitsFor.Select(r => r.Name));
        if (resource is ProjectResource project)
        {
            names.AddRange(project.ConnectionReferences.Select(r => r.Name));
            names.AddRange(project.ServiceReferences.Select(r => r.Name));
        }

        return [.. names.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The check the orchestrator itself runs before it calls a resource healthy.</summary>
    private static IReadOnlyList<HealthReport> HealthReports(Resource? resource, ResourceSnapshot snapshot)
    {
        var check = resource switch
        {
            ProjectResource project => $"GET {project.HealthPath}",
            PostgresServerResource => "authenticated SELECT 1",
            PostgresDatabaseResource => "database exists, owned by its role",
            RabbitMQServerResource => "AMQP login accepted, management API answers",
            _ => "ready",
        };
        var description = snapshot.Health switch
        {
            HealthStatus.Healthy => "passed",
            HealthStatus.Unhealthy => snapshot.Reason ?? "failed",
            _ => snapshot.State is KnownResourceStates.Running ? "not checked yet" : $"not checked while {snapshot.State}",
        };
        return [new HealthReport(check, snapshot.Health.ToString(), description)];
    }
}
