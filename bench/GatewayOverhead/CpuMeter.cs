using System.Globalization;
using System.Runtime.InteropServices;

namespace InterimPlatform.Bench.GatewayOverhead;

/// <summary>
/// CPU time (user + system) a process and, optionally, its direct children (nginx's workers) have used, from
/// /proc/PID/stat: the cost per request of each hop, independent of how the two cores were shared.
/// </summary>
internal static class CpuMeter
{
    private static readonly double TicksPerSecond = sysconf(2 /* _SC_CLK_TCK */) is > 0 and var ticks ? ticks : 100;

    public static double Seconds(int pid, bool withChildren = false)
    {
        var total = OwnSeconds(pid);
        if (withChildren)
        {
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var child) && Parent(child) == pid)
                {
                    total += OwnSeconds(child);
                }
            }
        }

        return total;
    }

    /// <summary>The whole machine's (busy, total) CPU time in ticks since boot, from the first line of /proc/stat.</summary>
    public static (long Busy, long Total) Machine()
    {
        var ticks = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        var total = ticks.Take(8).Sum(); // user nice system idle iowait irq softirq steal
        return (total - ticks[3] - ticks[4], total);
    }

    /// <summary>How busy the machine is over <paramref name="period"/>, 0–1 (all cores).</summary>
    public static async Task<double> MachineBusyAsync(TimeSpan period, CancellationToken cancellationToken)
    {
        var before = Machine();
        await Task.Delay(period, cancellationToken);
        var after = Machine();
        return after.Total == before.Total ? 0 : (double)(after.Busy - before.Busy) / (after.Total - before.Total);
    }

    private static string[]? Fields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // "pid (comm) state ppid ...": the command may hold spaces and parentheses, so split after the last ')'.
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null; // gone
        }
    }

    private static double OwnSeconds(int pid) => Fields(pid) is { } f
        ? (long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)) / TicksPerSecond
        : 0;

    private static int Parent(int pid) => Fields(pid) is { } f ? int.Parse(f[1], CultureInfo.InvariantCulture) : -1;

    [DllImport("libc", SetLastError = false)]
#pragma warning disable SYSLIB1054 // one int in, one long out: nothing for LibraryImport to generate
    private static extern long sysconf(int name);
#pragma warning restore SYSLIB1054
}
