using System.Text.RegularExpressions;
using InterimPlatform.Bench.Platform;

namespace InterimPlatform.Bench.AppHostFootprint;

/// <summary>What a process of the platform is, from its command line: the rows of the footprint table.</summary>
internal static partial class ProcessKinds
{
    public const string AppHost = "apphost";

    /// <summary>The rows in the order printed; anything else is listed under its own name after them.</summary>
    public static readonly IReadOnlyList<string> Order =
    [
        AppHost, "dcp", "dcp monitor-process", "dashboard", "watchdog (old)", "dotnet run wrappers", "postgres", "rabbitmq (beam.smp, epmd)",
        "candidates", "engagements", "matching", "gateway", "ops",
    ];

    public static string Of(ProcessEntry process, int appHostPid)
    {
        var command = process.CommandLine;
        if (process.Pid == appHostPid)
        {
            return AppHost;
        }

        if (Dcp().IsMatch(command))
        {
            return command.Contains(" monitor-process ", StringComparison.Ordinal) ? "dcp monitor-process" : "dcp";
        }

        if (command.Contains("Aspire.Dashboard", StringComparison.Ordinal))
        {
            return "dashboard";
        }

        if (command.Contains("interim-watchdog", StringComparison.Ordinal))
        {
            return "watchdog (old)";
        }

        // RabbitMQ before PostgreSQL: the node's command line names its folder, which may say anything.
        if (process.Name is "beam.smp" or "epmd" or "erl_child_setup" or "inet_gethost"
            || command.Contains("rabbitmq", StringComparison.Ordinal) || command.Contains("rabbit_disk_monitor", StringComparison.Ordinal))
        {
            return "rabbitmq (beam.smp, epmd)";
        }

        if (process.Name is "postgres" or "setpriv" or "pg_ctl" || command.Contains("/postgres ", StringComparison.Ordinal) || command.StartsWith("postgres:", StringComparison.Ordinal))
        {
            return "postgres";
        }

        if (DotnetRun().IsMatch(command))
        {
            return "dotnet run wrappers";
        }

        if (Service().Match(command) is { Success: true } service)
        {
            return service.Groups["name"].Value.ToLowerInvariant();
        }

        return process.Name;
    }

    [GeneratedRegex(@"(^|/)dcp(\.exe)?\s")]
    private static partial Regex Dcp();

    [GeneratedRegex(@"(^|/)dotnet\s+(run|exec\s.*MSBuild)")]
    private static partial Regex DotnetRun();

    [GeneratedRegex(@"InterimPlatform\.(?<name>Candidates|Engagements|Matching|Gateway|Ops)(\.dll)?(\s|$)")]
    private static partial Regex Service();
}
