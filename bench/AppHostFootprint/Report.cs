using System.Globalization;

namespace InterimPlatform.Bench.AppHostFootprint;

/// <summary>The table: old against new, medians over the warm runs with every run's figure beside them.</summary>
internal static class Report
{
    public static void Print(IReadOnlyList<RunResult> results, IReadOnlyList<AppHostKind> kinds, TimeSpan idle)
    {
        var (old, @new) = (kinds[0].Name, kinds[1].Name);
        RunResult[] Warm(string kind) => [.. results.Where(r => r.AppHost == kind && !r.Cold)];
        double ColdStart(string kind) => results.First(r => r.AppHost == kind && r.Cold).StartSeconds;

        Console.WriteLine();
        Console.WriteLine($"{"",-34} {kinds[0].Label,22} {kinds[1].Label,22} {"new/old",8}  target");
        Row("cold start (new state folder)", ColdStart(old), ColdStart(@new), v => $"{v:0.0} s", null);
        var warmOld = Warm(old).Select(r => r.StartSeconds).ToList();
        var warmNew = Warm(@new).Select(r => r.StartSeconds).ToList();
        Row("warm start, median", Median(warmOld), Median(warmNew), v => $"{v:0.0} s", 1.2);
        Each(warmOld, warmNew, v => v.ToString("0.0", CultureInfo.InvariantCulture));
        var reportedOld = Warm(old).Select(r => r.ReportedSeconds ?? double.NaN).ToList();
        var reportedNew = Warm(@new).Select(r => r.ReportedSeconds ?? double.NaN).ToList();
        Row("  as the AppHost reports it", Median(reportedOld), Median(reportedNew), v => $"{v:0.0} s", null);
        var pssOld = Warm(old).Select(r => (double)r.TotalPss).ToList();
        var pssNew = Warm(@new).Select(r => (double)r.TotalPss).ToList();
        Row("PSS of the whole platform, median", Median(pssOld), Median(pssNew), Mb, 1.5);
        Each(pssOld, pssNew, v => (v / 1e6).ToString("0", CultureInfo.InvariantCulture));
        var cpuOld = Warm(old).Select(r => r.TotalIdleCpu).ToList();
        var cpuNew = Warm(@new).Select(r => r.TotalIdleCpu).ToList();
        Row($"idle CPU over {idle.TotalSeconds:0} s, median", Median(cpuOld), Median(cpuNew), v => $"{v:0.00} s ({v / idle.TotalSeconds:P1})", 1.0);
        Each(cpuOld, cpuNew, v => v.ToString("0.00", CultureInfo.InvariantCulture));
        Row("SIGINT to the AppHost's exit, median", Median(results.Where(r => r.AppHost == old).Select(r => r.StopSeconds).ToList()),
            Median(results.Where(r => r.AppHost == @new).Select(r => r.StopSeconds).ToList()), v => $"{v:0.0} s", null);
        Row("SIGINT to its last process's end", Median(results.Where(r => r.AppHost == old).Select(r => r.AllStoppedSeconds).ToList()),
            Median(results.Where(r => r.AppHost == @new).Select(r => r.AllStoppedSeconds).ToList()), v => $"{v:0.0} s", null);
        Console.WriteLine($"{"processes left 60 s after the exit",-34} {results.Where(r => r.AppHost == old).Sum(r => r.LeftBehind.Count),22} {results.Where(r => r.AppHost == @new).Sum(r => r.LeftBehind.Count),22}");
        Console.WriteLine($"{"machine busy during the idle windows",-34} {string.Join(", ", Warm(old).Select(r => r.MachineBusy.ToString("P0", CultureInfo.InvariantCulture))),22} {string.Join(", ", Warm(@new).Select(r => r.MachineBusy.ToString("P0", CultureInfo.InvariantCulture))),22}");

        Console.WriteLine();
        Console.WriteLine($"By kind of process, medians over the warm runs (processes in brackets):");
        Console.WriteLine($"{"kind",-28} {"PSS old",16} {"PSS new",16} {"idle CPU old",13} {"idle CPU new",13}");
        var allKinds = results.Where(r => !r.Cold).SelectMany(r => r.Memory?.Keys ?? []).Distinct()
            .OrderBy(k => ProcessKinds.Order.IndexOf(k) is var i and >= 0 ? i : int.MaxValue).ThenBy(k => k, StringComparer.Ordinal).ToList();
        foreach (var kind in allKinds)
        {
            Console.WriteLine($"{kind,-28} {Kind(Warm(old), kind),16} {Kind(Warm(@new), kind),16} {Cpu(Warm(old), kind),13} {Cpu(Warm(@new), kind),13}");
        }

        Console.WriteLine();
        Console.WriteLine("Targets: warm start ≤ 1.2 × old, PSS ≤ 1.5 × old, idle CPU ≤ old. A measurement: exit code 0 whatever they say.");
    }

    private static void Row(string what, double old, double @new, Func<double, string> format, double? target)
    {
        var ratio = @new / old;
        var verdict = target is { } t ? $"≤ {t:0.0#}  {(ratio <= t ? "PASS" : "MISS")}" : "";
        Console.WriteLine($"{what,-34} {format(old),22} {format(@new),22} {ratio,8:0.00}  {verdict}");
    }

    private static void Each(IReadOnlyList<double> old, IReadOnlyList<double> @new, Func<double, string> format) =>
        Console.WriteLine($"{"  each run",-34} {string.Join(", ", old.Select(format)),22} {string.Join(", ", @new.Select(format)),22}");

    private static string Mb(double bytes) => $"{bytes / 1e6:N0} MB";

    private static string Kind(IReadOnlyList<RunResult> runs, string kind)
    {
        var present = runs.Where(r => r.Memory?.ContainsKey(kind) == true).ToList();
        if (present.Count == 0)
        {
            return "-";
        }

        var pss = Median([.. runs.Select(r => (double)(r.Memory!.TryGetValue(kind, out var m) ? m.Pss : 0))]);
        var processes = Median([.. runs.Select(r => (double)(r.Memory!.TryGetValue(kind, out var m) ? m.Processes : 0))]);
        return $"{pss / 1e6:0.0} MB ({processes:0})";
    }

    private static string Cpu(IReadOnlyList<RunResult> runs, string kind) =>
        runs.Any(r => r.IdleCpuSeconds?.ContainsKey(kind) == true)
            ? $"{Median([.. runs.Select(r => r.IdleCpuSeconds!.GetValueOrDefault(kind))]):0.00} s"
            : "-";

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

internal static class ListExtensions
{
    public static int IndexOf<T>(this IReadOnlyList<T> list, T item)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (EqualityComparer<T>.Default.Equals(list[i], item))
            {
                return i;
            }
        }

        return -1;
    }
}
