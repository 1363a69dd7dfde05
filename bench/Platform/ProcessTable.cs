using System.Globalization;

namespace InterimPlatform.Bench.Platform;

/// <summary>One live process as /proc shows it.</summary>
public sealed record ProcessEntry(int Pid, int Parent, string Name, string CommandLine);

/// <summary>
/// A snapshot of /proc: who is whose child, and the trees a platform's processes form. DCP, Aspire's
/// orchestrator, does not run as a child of the AppHost: it and its helpers name the AppHost on their command
/// line (<c>--monitor PID</c>) instead, so a platform's processes are the AppHost's descendants and theirs.
/// </summary>
public sealed class ProcessTable
{
    private readonly Dictionary<int, ProcessEntry> _processes;

    private ProcessTable(Dictionary<int, ProcessEntry> processes) => _processes = processes;

    public IReadOnlyCollection<ProcessEntry> All => _processes.Values;

    public static ProcessTable Read()
    {
        var processes = new Dictionary<int, ProcessEntry>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var close = stat.LastIndexOf(')');
                var fields = stat[(close + 2)..].Split(' ');
                if (fields[0] == "Z")
                {
                    continue; // exited, waiting to be reaped
                }

                var name = stat[(stat.IndexOf('(', StringComparison.Ordinal) + 1)..close];
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Trim();
                processes[pid] = new ProcessEntry(pid, int.Parse(fields[1], CultureInfo.InvariantCulture), name, commandLine);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // exited while we looked
            }
        }

        return new ProcessTable(processes);
    }

    /// <summary>The process exists and has not exited (a zombie has: only its entry is left until it is reaped).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return false;
        }
    }

    public ProcessEntry? Get(int pid) => _processes.GetValueOrDefault(pid);

    /// <summary>The processes and all their descendants.</summary>
    public IReadOnlyList<ProcessEntry> Trees(IEnumerable<int> roots)
    {
        var found = roots.Where(_processes.ContainsKey).ToHashSet();
        var children = _processes.Values.ToLookup(p => p.Parent);
        var pending = new Queue<int>(found);
        while (pending.TryDequeue(out var pid))
        {
            foreach (var child in children[pid])
            {
                if (found.Add(child.Pid))
                {
                    pending.Enqueue(child.Pid);
                }
            }
        }

        return [.. found.Select(pid => _processes[pid]).OrderBy(p => p.Pid)];
    }

    /// <summary>
    /// Every process of the platform an AppHost process runs: the AppHost's descendants, and every process that
    /// monitors it (DCP and its helpers, <c>--monitor PID</c>) with theirs. The AppHost itself included.
    /// </summary>
    public IReadOnlyList<ProcessEntry> Platform(int appHostPid) =>
        Trees(_processes.Values.Where(p => p.Pid == appHostPid || Monitors(p, appHostPid)).Select(p => p.Pid));

    private static bool Monitors(ProcessEntry process, int appHostPid)
    {
        var monitor = $"--monitor {appHostPid.ToString(CultureInfo.InvariantCulture)}";
        var at = process.CommandLine.IndexOf(monitor, StringComparison.Ordinal);
        return at >= 0 && (at + monitor.Length == process.CommandLine.Length || process.CommandLine[at + monitor.Length] == ' ');
    }
}

/// <summary>What a process costs: proportional set size and CPU time, from /proc.</summary>
public static class ProcessCosts
{
    private static readonly double s_ticksPerSecond = 100; // USER_HZ on Linux

    /// <summary>PSS in bytes (shared pages divided among their sharers), from /proc/PID/smaps_rollup; null once the process is gone.</summary>
    public static long? Pss(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/smaps_rollup"))
            {
                if (line.StartsWith("Pss:", StringComparison.Ordinal))
                {
                    return long.Parse(line[4..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>User plus system CPU time the process has used so far (its own, not its children's); null once it is gone.</summary>
    public static TimeSpan? CpuTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // Fields 14 and 15 of stat (utime, stime), counted from the state field, which is field 3.
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / s_ticksPerSecond);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
