using System.Diagnostics;
using InterimPlatform.Dashboard.Resources;
using InterimPlatform.Hosting;
using InterimPlatform.Hosting.Orchestration;

namespace InterimPlatform.Bench.FaultSuite;

/// <summary>One fault as injected, and how long the platform took to be whole again.</summary>
internal sealed record FaultOutcome(string Kind, string Target, TimeSpan Recovery, string? Note);

/// <summary>
/// Breaks the running platform on a schedule: kill -9 of each service instance in turn (then started again,
/// as an operator or a supervisor would), RabbitMQ and PostgreSQL stopped and started, connections between
/// Candidates/Matching and their servers dropped or stalled through the relays. After each fault it waits
/// until every service instance and the gateway answer <c>/health</c> again: that wait is the recovery time.
/// </summary>
internal sealed class Faults(DistributedApplication app, IReadOnlyList<string> services, IReadOnlyDictionary<string, TcpRelay> relays, Func<CancellationToken, Task<bool>> allHealthy)
{
    public List<FaultOutcome> Outcomes { get; } = [];

    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        var schedule = new List<(string Kind, string Target, Func<CancellationToken, Task<string?>> Inject)>();
        foreach (var service in services)
        {
            schedule.Add(("kill -9", service, ct => KillAndStartAsync(service, ct)));
        }

        schedule.Insert(3, ("stop/start", "messaging", ct => StopAndStartAsync("messaging", ct)));
        schedule.Insert(6, ("stop/start", "postgres", ct => StopAndStartAsync("postgres", ct)));
        var at = 8;
        foreach (var relay in relays.Values)
        {
            schedule.Insert(Math.Min(at, schedule.Count), ("connections dropped", relay.Name, _ => Task.FromResult<string?>($"{relay.DropAll()} connection(s) reset")));
            schedule.Insert(Math.Min(at + 2, schedule.Count), ("connections stalled 5 s", relay.Name, async ct =>
            {
                await relay.StallAsync(TimeSpan.FromSeconds(5), ct);
                return $"{relay.Connections} connection(s) held";
            }));
            at += 3;
        }

        foreach (var (kind, target, inject) in schedule)
        {
            await Task.Delay(interval, cancellationToken);
            var started = Stopwatch.GetTimestamp();
            Console.WriteLine($"{DateTime.Now:HH:mm:ss} fault: {kind} {target}");
            string? note;
            try
            {
                note = await inject(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                note = "injection failed: " + e.Message;
            }

            var deadline = TimeSpan.FromMinutes(3);
            while (!await allHealthy(cancellationToken) && Stopwatch.GetElapsedTime(started) < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }

            var recovery = Stopwatch.GetElapsedTime(started);
            Outcomes.Add(new FaultOutcome(kind, target, recovery, recovery >= deadline ? $"NOT RECOVERED; {note}" : note));
            Console.WriteLine($"{DateTime.Now:HH:mm:ss}   recovered in {recovery.TotalSeconds:0.0} s{(note is null ? "" : $" ({note})")}");
        }
    }

    private async Task<string?> KillAndStartAsync(string service, CancellationToken cancellationToken)
    {
        var pid = app.ResourceStates.Get(service)?.ProcessId ?? throw new InvalidOperationException($"{service} has no process");
        Process.GetProcessById(pid).Kill(); // SIGKILL: no shutdown, no flushing, connections cut mid-flight
        while (app.ResourceStates.Get(service)?.State != KnownResourceStates.Exited)
        {
            await Task.Delay(50, cancellationToken);
        }

        await app.ExecuteCommandAsync(service, ResourceCommand.Start, cancellationToken);
        return $"pid {pid}";
    }

    private async Task<string?> StopAndStartAsync(string server, CancellationToken cancellationToken)
    {
        await app.ExecuteCommandAsync(server, ResourceCommand.Stop, cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        await app.ExecuteCommandAsync(server, ResourceCommand.Start, cancellationToken);
        return "down 3 s";
    }
}
