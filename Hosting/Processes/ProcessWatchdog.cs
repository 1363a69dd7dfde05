using System.Diagnostics;

namespace InterimPlatform.Hosting.Processes;

/// <summary>
/// Guarantees that no process started through <see cref="ManagedProcess"/> outlives this process,
/// even after <c>kill -9</c>: a small detached shell holds the read end of a pipe that only this
/// process writes to, and stops every registered process group once that pipe closes.
/// </summary>
public sealed class ProcessWatchdog
{
    private static readonly Lazy<ProcessWatchdog> s_shared = new(() => new ProcessWatchdog());
    private readonly Process _shell;
    private readonly Lock _gate = new();

    private ProcessWatchdog()
    {
        using var stream = typeof(ProcessWatchdog).Assembly.GetManifestResourceStream("watchdog.sh")
            ?? throw new InvalidOperationException("The watchdog script is missing from the assembly.");
        using var reader = new StreamReader(stream);
        var script = reader.ReadToEnd();

        // setsid: its own session, so Ctrl+C in the terminal reaches the AppHost but not the watchdog.
        var start = new ProcessStartInfo("setsid")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = false,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "bash", "-c", script, "interim-watchdog" })
        {
            start.ArgumentList.Add(argument);
        }

        _shell = Process.Start(start) ?? throw new InvalidOperationException("Could not start the process watchdog.");
        _shell.StandardInput.AutoFlush = true;
    }

    /// <summary>The one watchdog of this process.</summary>
    public static ProcessWatchdog Shared => s_shared.Value;

    internal void Track(int processGroupId, int stopSignal) => Send($"+ {processGroupId} {stopSignal}");

    internal void Untrack(int processGroupId) => Send($"- {processGroupId}");

    private void Send(string line)
    {
        lock (_gate)
        {
            if (!_shell.HasExited)
            {
                _shell.StandardInput.WriteLine(line);
            }
        }
    }
}
