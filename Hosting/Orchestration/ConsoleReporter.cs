using System.Globalization;
using InterimPlatform.Hosting.ApplicationModel;
using InterimPlatform.Hosting.State;

namespace InterimPlatform.Hosting.Orchestration;

/// <summary>What the AppHost prints: one line per state change, then a summary of where everything is.</summary>
internal sealed class ConsoleReporter(TimeProvider timeProvider)
{
    /// <summary>Printed once every resource is healthy; tests and scripts wait for it.</summary>
    public const string AllHealthyMarker = "All resources are healthy";

    private readonly Lock _gate = new();

    public void Line(string text)
    {
        lock (_gate)
        {
            Console.Out.WriteLine($"{timeProvider.GetLocalNow():HH:mm:ss} {text}");
            Console.Out.Flush();
        }
    }

    public void State(ResourceSnapshot snapshot)
    {
        var details = new List<string>();
        if (snapshot.ProcessId is { } pid && snapshot.State is KnownResourceStates.Running)
        {
            details.Add($"pid {pid}");
        }

        if (snapshot.State == KnownResourceStates.Running && snapshot.Urls.Length > 0)
        {
            details.Add(string.Join(" ", snapshot.Urls));
        }

        if (snapshot.ExitCode is { } code && snapshot.State is KnownResourceStates.Exited or KnownResourceStates.Finished)
        {
            details.Add($"exit code {code}");
        }

        if (snapshot.Reason is { } reason)
        {
            details.Add(reason);
        }

        Line($"  {snapshot.Name,-14} {snapshot.State,-14} {string.Join("; ", details)}".TrimEnd());
    }

    public void LogTail(string resource, ResourceLogStore logs)
    {
        var tail = logs.Tail(resource, 15);
        if (tail.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            Console.Out.WriteLine($"    last lines of {resource} (all of them in {logs.LogFile(resource)}):");
            foreach (var line in tail)
            {
                Console.Out.WriteLine($"    | {line}");
            }
        }
    }

    public void Summary(DistributedApplicationModel model, StateFolder state, PlatformSecrets secrets, TimeSpan elapsed, string? dashboardLoginUrl)
    {
        var lines = new List<string> { $"{AllHealthyMarker} ({elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s)." };
        if (dashboardLoginUrl is not null)
        {
            lines.Add($"  {"Dashboard",-22} {dashboardLoginUrl}   (the link logs in; the token changes at every start)");
        }

        foreach (var project in model.Resources.OfType<ProjectResource>().Where(p => p.FixedPort is not null))
        {
            lines.Add($"  {project.Name,-22} {project.HttpUrl}   (health: {project.HttpUrl}/health)");
        }

        foreach (var rabbit in model.Resources.OfType<RabbitMQServerResource>())
        {
            if (rabbit.ManagementUrl is { } url)
            {
                lines.Add($"  {"RabbitMQ management",-22} {url}   (user {secrets.RabbitMQUser})");
            }

            lines.Add($"  {"RabbitMQ AMQP",-22} amqp://127.0.0.1:{rabbit.NodeOptions!.AmqpPort}");
        }

        foreach (var postgres in model.Resources.OfType<PostgresServerResource>())
        {
            lines.Add($"  {"PostgreSQL",-22} 127.0.0.1:{postgres.Port}   (user postgres; databases {string.Join(", ", postgres.Databases.Select(d => d.DatabaseName))})");
        }

        foreach (var project in model.Resources.OfType<ProjectResource>().Where(p => p.FixedPort is null))
        {
            lines.Add($"  {project.Name,-22} {project.HttpUrl}   (internal: reach it through the gateway)");
        }

        lines.Add($"  {"Credentials",-22} {state.SecretsFile}");
        foreach (var extra in Directory.EnumerateFiles(state.Path, "*.json").Where(f => f != state.SecretsFile).Order(StringComparer.Ordinal))
        {
            lines.Add($"  {"",-22} {extra}");
        }

        lines.Add($"  {"Logs",-22} {Path.Combine(state.Path, "logs")}");
        lines.Add("Press Ctrl+C to stop. Start with --reset to delete all data and credentials.");
        foreach (var line in lines)
        {
            Line(line);
        }
    }
}
