using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using InterimPlatform.Bench.Platform;
using InterimPlatform.Hosting.NativeServers;

namespace InterimPlatform.Bench.AppHostFootprint;

/// <summary>One of the two AppHosts: its build output and the arguments that give it free ports.</summary>
internal sealed record AppHostKind(string Name, string Label, string Executable, bool IsAspire)
{
    public string[] Arguments(string stateDirectory, int gatewayPort)
    {
        List<string> arguments =
        [
            "--state-dir", stateDirectory,
            $"--Gateway:Port={gatewayPort.ToString(CultureInfo.InvariantCulture)}",
            $"--Messaging:AmqpPort={Free()}",
            $"--Dashboard:Port={Free()}", $"--Dashboard:OtlpGrpcPort={Free()}", $"--Dashboard:OtlpHttpPort={Free()}",
        ];
        if (IsAspire)
        {
            // The Aspire dashboard's resource service, and the ops pages' port (an AppHost without them ignores it).
            arguments.Add($"--Dashboard:ResourceServicePort={Free()}");
            arguments.Add($"--Ops:Port={Free()}");
        }

        return [.. arguments];

        static string Free() => LoopbackPorts.GetFreePort().ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>What one start of an AppHost measured.</summary>
internal sealed record RunResult(
    string AppHost,
    bool Cold,
    double StartSeconds,
    double? ReportedSeconds,
    IReadOnlyDictionary<string, (int Processes, long Pss)>? Memory,
    IReadOnlyDictionary<string, double>? IdleCpuSeconds,
    double IdleWindowSeconds,
    double MachineBusy,
    string LoadAverage,
    double StopSeconds,
    double AllStoppedSeconds,
    IReadOnlyList<string> LeftBehind)
{
    public long TotalPss => Memory?.Values.Sum(m => m.Pss) ?? 0;

    public double TotalIdleCpu => IdleCpuSeconds?.Values.Sum() ?? 0;
}

/// <summary>
/// One start of an AppHost from its build output, as a user starts it: to "All resources are healthy" on its console
/// and the gateway's <c>/health</c> answering 200; then (warm starts) the whole platform's PSS and its CPU at rest;
/// then Ctrl+C (SIGINT), and a check that no process of it is left.
/// </summary>
internal sealed partial class AppHostRun
{
    private const string AllHealthyMarker = "All resources are healthy";

    /// <summary>
    /// How long the platform's processes may outlive the AppHost: DCP stops what it ran after the AppHost has exited
    /// (it watches the AppHost's pid), RabbitMQ takes a few seconds, and a busy machine makes that longer.
    /// </summary>
    private static readonly TimeSpan LeftoverGrace = TimeSpan.FromSeconds(60);
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _healthy = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Output => string.Join(Environment.NewLine, _output);

    public static async Task<RunResult> RunAsync(AppHostKind kind, string stateDirectory, bool cold, TimeSpan settle, TimeSpan idle, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var gatewayPort = LoopbackPorts.GetFreePort();
        var start = new ProcessStartInfo(kind.Executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Path.GetDirectoryName(kind.Executable)!,
        };
        foreach (var argument in kind.Arguments(stateDirectory, gatewayPort))
        {
            start.ArgumentList.Add(argument);
        }

        var loadAverage = File.ReadAllText("/proc/loadavg").Trim();
        var run = new AppHostRun();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => run.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => run.OnOutput(e.Data);
        var clock = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var pid = process.Id;
        Console.WriteLine($"  {kind.Name} ({(cold ? "cold" : "warm")}): pid {pid}, state {stateDirectory}, load average {loadAverage}");

        IReadOnlyDictionary<string, (int, long)>? memory = null;
        IReadOnlyDictionary<string, double>? cpu = null;
        double startSeconds, machineBusy = double.NaN;
        double? reported;
        try
        {
            await run.WaitUntilHealthyAsync(process, new Uri($"http://localhost:{gatewayPort.ToString(CultureInfo.InvariantCulture)}/health"), timeout, cancellationToken);
            startSeconds = clock.Elapsed.TotalSeconds;
            reported = run.ReportedSeconds();
            Console.WriteLine($"    healthy in {startSeconds:0.0} s (the AppHost says {reported?.ToString("0.0", CultureInfo.InvariantCulture) ?? "?"} s from its own start)");
            if (!cold)
            {
                await Task.Delay(settle, cancellationToken);
                memory = Memory(pid);
                Console.WriteLine($"    PSS {memory.Values.Sum(m => m.Item2) / 1e6:0} MB in {memory.Values.Sum(m => m.Item1)} processes after {settle.TotalSeconds:0} s at rest");
                (cpu, machineBusy) = await IdleCpuAsync(pid, idle, cancellationToken);
                Console.WriteLine($"    idle CPU {cpu.Values.Sum():0.00} s over {idle.TotalSeconds:0} s ({cpu.Values.Sum() / idle.TotalSeconds:P1} of one core); the machine was {machineBusy:P0} busy meanwhile");
            }
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            Console.WriteLine($"    FAILED: {e.Message}");
            Console.WriteLine(run.Output);
            await StopAsync(process, pid, stateDirectory, cancellationToken);
            throw;
        }

        var (stopSeconds, allStopped, left) = await StopAsync(process, pid, stateDirectory, cancellationToken);
        Console.WriteLine($"    SIGINT: the AppHost exited in {stopSeconds:0.0} s (exit code {process.ExitCode}), its last process {allStopped:0.0} s after the signal; "
            + (left.Count == 0 ? "no process left" : $"{left.Count} process(es) LEFT {LeftoverGrace.TotalSeconds:0} s after the AppHost exited, killed: {string.Join("; ", left)}"));
        return new RunResult(kind.Name, cold, startSeconds, reported, memory, cpu, idle.TotalSeconds, machineBusy, loadAverage, stopSeconds, allStopped, left);
    }

    /// <summary>PSS by kind of process over the whole platform (the AppHost's tree and DCP's).</summary>
    private static Dictionary<string, (int, long)> Memory(int appHostPid)
    {
        var result = new Dictionary<string, (int Processes, long Pss)>();
        foreach (var process in ProcessTable.Read().Platform(appHostPid))
        {
            if (ProcessCosts.Pss(process.Pid) is { } pss)
            {
                var kind = ProcessKinds.Of(process, appHostPid);
                var (count, sum) = result.GetValueOrDefault(kind);
                result[kind] = (count + 1, sum + pss);
            }
        }

        return result;
    }

    /// <summary>
    /// CPU time (user + system) every process of the platform used over the window, by kind; processes that started
    /// meanwhile count whole, processes that ended meanwhile are lost (the platform at rest starts and ends none, or
    /// nearly: a health-check probe). And how busy the whole machine was (/proc/stat), for the noise.
    /// </summary>
    private static async Task<(Dictionary<string, double>, double)> IdleCpuAsync(int appHostPid, TimeSpan window, CancellationToken cancellationToken)
    {
        var before = ProcessTable.Read().Platform(appHostPid).ToDictionary(p => p.Pid, p => ProcessCosts.CpuTime(p.Pid) ?? TimeSpan.Zero);
        var machineBefore = MachineTicks();
        await Task.Delay(window, cancellationToken);
        var machineAfter = MachineTicks();
        var result = new Dictionary<string, double>();
        foreach (var process in ProcessTable.Read().Platform(appHostPid))
        {
            if (ProcessCosts.CpuTime(process.Pid) is { } after)
            {
                var kind = ProcessKinds.Of(process, appHostPid);
                result[kind] = result.GetValueOrDefault(kind) + (after - before.GetValueOrDefault(process.Pid)).TotalSeconds;
            }
        }

        var busy = machineAfter.Total == machineBefore.Total ? 0 : 1 - (double)(machineAfter.Idle - machineBefore.Idle) / (machineAfter.Total - machineBefore.Total);
        return (result, busy);
    }

    private static (long Idle, long Total) MachineTicks()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        return (fields[3] + fields[4], fields.Sum());
    }

    /// <summary>Ctrl+C as a user stops it; then no process of the platform may be left (any that is, is killed and reported).</summary>
    private static async Task<(double Seconds, double AllStoppedSeconds, IReadOnlyList<string> Left)> StopAsync(Process process, int pid, string stateDirectory, CancellationToken cancellationToken)
    {
        var platform = ProcessTable.Read().Platform(pid).Where(p => p.Pid != pid).ToList();
        var clock = Stopwatch.StartNew();
        if (!process.HasExited)
        {
            Signals.Send(pid, Signals.SigInt);
            try
            {
                await process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromMinutes(3), cancellationToken);
            }
            catch (TimeoutException)
            {
                Console.WriteLine("    the AppHost did not exit within 3 minutes of SIGINT: killed");
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(cancellationToken);
            }
        }

        var seconds = clock.Elapsed.TotalSeconds;
        // Whatever of the platform outlives the AppHost: what it ran (reparented once it exited, so found by pid),
        // DCP's processes, and anything naming the state folder.
        var deadline = DateTime.UtcNow + LeftoverGrace;
        List<ProcessEntry> left;
        while ((left = Leftovers(platform, pid, stateDirectory)).Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, cancellationToken);
        }

        var allStopped = clock.Elapsed.TotalSeconds;
        foreach (var entry in left)
        {
            Signals.Kill(entry.Pid);
        }

        return (seconds, allStopped, [.. left.Select(p => $"{p.Pid} {p.CommandLine[..Math.Min(100, p.CommandLine.Length)]}")]);
    }

    private static List<ProcessEntry> Leftovers(IReadOnlyList<ProcessEntry> platform, int pid, string stateDirectory)
    {
        var table = ProcessTable.Read();
        var still = platform.Where(p => table.Get(p.Pid) is { } now && now.CommandLine == p.CommandLine).Select(p => p.Pid);
        return [.. table.Trees(still).Concat(LeftoverProcesses.Find(pid, stateDirectory)).DistinctBy(p => p.Pid)];
    }

    private async Task WaitUntilHealthyAsync(Process process, Uri gatewayHealth, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var finished = await Task.WhenAny(_healthy.Task, process.WaitForExitAsync(cancellationToken), Task.Delay(timeout, cancellationToken));
        if (finished != _healthy.Task)
        {
            throw process.HasExited
                ? new InvalidOperationException($"The AppHost exited with code {process.ExitCode} before it was healthy.")
                : new TimeoutException($"The AppHost did not print '{AllHealthyMarker}' within {timeout.TotalMinutes:0} min.");
        }

        // The console says so; the gateway answering is what a user waits for.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(gatewayHealth, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"The gateway's /health did not answer 200 within {timeout.TotalMinutes:0} min.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private double? ReportedSeconds() =>
        ReportedLine().Match(Output) is { Success: true } match ? double.Parse(match.Groups["s"].Value, CultureInfo.InvariantCulture) : null;

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        if (line.Contains(AllHealthyMarker, StringComparison.Ordinal))
        {
            _healthy.TrySetResult();
        }
    }

    [GeneratedRegex(@"All resources are healthy \((?<s>[0-9.]+) s\)")]
    private static partial Regex ReportedLine();
}
