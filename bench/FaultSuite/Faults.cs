using System.Diagnostics;
using InterimPlatform.Bench.Platform;

namespace InterimPlatform.Bench.FaultSuite;

/// <summary>One fault as injected, and how long the platform took to be whole again.</summary>
internal sealed record FaultOutcome(string Kind, string Target, TimeSpan Recovery, string? Note);

/// <summary>
/// Breaks the running platform on a schedule: kill -9 of each service instance in turn (then started again with
/// Aspire's Start command, as an operator would from the dashboard: DCP does not restart a process that died),
/// RabbitMQ and PostgreSQL stopped and started with Aspire's Stop and Start commands, connections between
/// Candidates/Matching and their servers dropped or stalled through the relays. After each fault it waits
/// until every service instance and the gateway answer <c>/health</c> again: that wait is the recovery time.
/// </summary>
internal sealed class Faults(BenchPlatform platform, IReadOnlyList<string> services, IReadOnlyDictionary<string, TcpRelay> relays, Func<CancellationToken, Task<bool>> allHealthy)
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
        var pids = await platform.KillAsync(service, cancellationToken); // SIGKILL: no shutdown, no flushing, connections cut mid-flight
        await StartAsync(service, cancellationToken);
        return $"pid {string.Join(", ", pids)}";
    }

    private async Task<string?> StopAndStartAsync(string server, CancellationToken cancellationToken)
    {
        var note = await platform.StopAsync(server, cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        await StartAsync(server, cancellationToken);
        return note is null ? "down 3 s" : $"down 3 s after it stopped; {note}";
    }

    /// <summary>Aspire's Start command, and a wait until the resource is healthy (bounded: the recovery loop reports what did not come back).</summary>
    private async Task StartAsync(string resource, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        await platform.StartAsync(resource, timeout.Token);
    }
}
