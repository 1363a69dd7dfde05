namespace InterimPlatform.Dashboard.Resources;

/// <summary>
/// What the dashboard knows of the AppHost's resources and may ask of it (Aspire's resource service).
/// The AppHost (Hosting) implements it; the dashboard never reaches into the orchestrator otherwise.
/// </summary>
public interface IResourceSource
{
    /// <summary>Every resource as it is now, replicas as resources of their own, ordered by name.</summary>
    IReadOnlyList<DashboardResource> Resources { get; }

    /// <summary>Each change of any resource from now on (the whole new snapshot of that resource).</summary>
    IAsyncEnumerable<DashboardResource> WatchAsync(CancellationToken cancellationToken);

    /// <summary>The last <paramref name="count"/> console lines the resource wrote, oldest first.</summary>
    IReadOnlyList<ConsoleLine> ConsoleTail(string resource, int count);

    /// <summary>Each console line the resource writes from now on.</summary>
    IAsyncEnumerable<ConsoleLine> WatchConsoleAsync(string resource, CancellationToken cancellationToken);

    /// <summary>Starts, stops or restarts a resource; returns once the command has taken effect or failed.</summary>
    Task<CommandResult> ExecuteAsync(string resource, ResourceCommand command, CancellationToken cancellationToken);

    /// <summary>
    /// The resource's health checks as they answer now (a service's <c>/health</c>: database, broker, …), for the
    /// details page; by default the reports of the last snapshot.
    /// </summary>
    Task<IReadOnlyList<HealthReport>> CheckHealthAsync(string resource, CancellationToken cancellationToken) =>
        Task.FromResult(Resources.FirstOrDefault(r => r.Name == resource)?.HealthReports ?? []);
}

/// <summary>One resource: a server (PostgreSQL, RabbitMQ), a database, or a service replica.</summary>
/// <param name="Name">Unique name, for example <c>candidates</c> or <c>candidates-2</c> for a second replica.</param>
/// <param name="Type">Project, PostgreSQL, RabbitMQ, Database.</param>
/// <param name="State">Aspire's state names: NotStarted, Waiting, Starting, Running, Stopping, Exited, Finished, FailedToStart.</param>
/// <param name="Health">Healthy, Unhealthy or Unknown.</param>
/// <param name="References">Names of the resources this one references or waits for (the graph's edges).</param>
/// <param name="Environment">As the resource was started; the dashboard masks values until revealed.</param>
/// <param name="HealthReports">Each health check's name, status and description, where the resource reports them.</param>
/// <param name="Commands">The commands that make sense now (for example Stop and Restart while Running).</param>
public sealed record DashboardResource(
    string Name,
    string Type,
    string State,
    string Health,
    int? ProcessId,
    int? ExitCode,
    DateTimeOffset? StartedAt,
    DateTimeOffset? StoppedAt,
    int Restarts,
    IReadOnlyList<string> Urls,
    IReadOnlyList<string> References,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<HealthReport> HealthReports,
    IReadOnlyList<ResourceCommand> Commands,
    string? Reason);

public sealed record HealthReport(string Name, string Status, string? Description);

public sealed record ConsoleLine(long Number, DateTimeOffset Timestamp, string Text, bool IsError);

public enum ResourceCommand
{
    Start,
    Stop,
    Restart,
}

public sealed record CommandResult(bool Succeeded, string? Error = null);
