using System.Diagnostics;

namespace InterimPlatform.Hosting.Processes;

/// <summary>How to start a process that the orchestrator owns.</summary>
public sealed record ManagedProcessStartInfo(string FileName, IReadOnlyList<string> Arguments)
{
    public string? WorkingDirectory { get; init; }

    /// <summary>Variables set on top of the parent's environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Run as this system account (used for PostgreSQL, which refuses to run as root).</summary>
    public string? RunAsUser { get; init; }

    /// <summary>Signal that asks the process to stop cleanly (SIGINT is PostgreSQL's "fast shutdown").</summary>
    public int StopSignal { get; init; } = Posix.SIGTERM;

    /// <summary>Receives every line the process writes to stdout or stderr.</summary>
    public Action<string>? Output { get; init; }

    /// <summary>Receives the lines written to stderr instead of <see cref="Output"/>, when set (the dashboard marks them).</summary>
    public Action<string>? ErrorOutput { get; init; }
}

/// <summary>
/// A child process in its own process group, registered with the <see cref="ProcessWatchdog"/>,
/// stopped with its stop signal and then SIGKILL after a grace period.
/// </summary>
public sealed class ManagedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ProcessWatchdog _watchdog;
    private readonly int _stopSignal;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ManagedProcess(Process process, ProcessWatchdog watchdog, int stopSignal)
    {
        _process = process;
        _watchdog = watchdog;
        _stopSignal = stopSignal;
    }

    public int ProcessId => _process.Id;

    /// <summary>Completes with the exit code when the process has exited.</summary>
    public Task<int> Exited => _exited.Task;

    public bool HasExited => _exited.Task.IsCompleted;

    public static ManagedProcess Start(ManagedProcessStartInfo info, ProcessWatchdog watchdog)
    {
        // setsid gives the child its own process group (pid == pgid) without forking, so a stop
        // signal reaches its whole tree and the terminal's Ctrl+C reaches only the AppHost.
        var start = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = info.WorkingDirectory ?? Directory.GetCurrentDirectory(),
        };
        if (info.RunAsUser is { } user)
        {
            foreach (var argument in new[] { "setpriv", $"--reuid={user}", $"--regid={user}", "--init-groups", "--" })
            {
                start.ArgumentList.Add(argument);
            }
        }

        start.ArgumentList.Add(info.FileName);
        foreach (var argument in info.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in info.Environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var managed = new ManagedProcess(process, watchdog, info.StopSignal);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { info.Output?.Invoke(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { (info.ErrorOutput ?? info.Output)?.Invoke(e.Data); } };
        process.Exited += (_, _) => managed.OnExited();

        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {info.FileName}.");
        }

        watchdog.Track(process.Id, info.StopSignal);
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>Asks the process group to stop; kills it if it has not exited within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (!HasExited)
        {
            Posix.SignalGroup(_process.Id, _stopSignal);
            try
            {
                await Exited.WaitAsync(grace).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Posix.SignalGroup(_process.Id, Posix.SIGKILL);
                await Exited.ConfigureAwait(false);
            }
        }
    }

    private void OnExited()
    {
        // Reap anything the leader left behind in its group before forgetting the group.
        Posix.SignalGroup(_process.Id, Posix.SIGKILL);
        _watchdog.Untrack(_process.Id);
        int code;
        try
        {
            code = _process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            code = -1;
        }

        _exited.TrySetResult(code);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _process.Dispose();
    }
}
