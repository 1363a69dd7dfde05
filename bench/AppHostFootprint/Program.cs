// AppHost footprint: the old AppHost (AppHost.Legacy: the project's own engine and dashboard) and the new one
// (AppHost: .NET Aspire 13.6, DCP, the Aspire dashboard) side by side in one run. Each runs from its Release build
// output as a child process, with a temporary --state-dir and free ports, the dashboard on (as a user runs it):
//   cold start: a new state folder (initdb, a new RabbitMQ node, migrations) to "All resources are healthy" and the
//               gateway's /health answering 200;
//   warm start: the same, with the state folder of the cold start (built, state exists), --warm times each,
//               alternating old and new so a slow phase of the machine hits both;
//   after each warm start, at rest: PSS (/proc/PID/smaps_rollup) summed over every process of the platform (the
//               AppHost's tree, and DCP's, which is not the AppHost's child: its processes carry --monitor PID) by
//               kind of process; then the CPU time (utime + stime, /proc/PID/stat) they all use over --idle seconds.
// Each AppHost is stopped with SIGINT (Ctrl+C) between runs and must leave no process. Prints old vs new with
// ratios against the targets (warm start ≤ 1.2 × old, PSS ≤ 1.5 × old, idle CPU ≤ old). A measurement: exit code 0
// whatever the figures (1 only when an AppHost could not be run).
// Usage: dotnet run -c Release --project bench/AppHostFootprint -- [--warm 3] [--idle 60] [--settle 15] [--keep-state]
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using InterimPlatform.Bench.AppHostFootprint;

var warmRuns = Option("--warm", 3);
var idle = TimeSpan.FromSeconds(Option("--idle", 60));
var settle = TimeSpan.FromSeconds(Option("--settle", 15));
var timeout = TimeSpan.FromMinutes(Option("--timeout-minutes", 6));
var keepState = args.Contains("--keep-state");

var root = new DirectoryInfo(AppContext.BaseDirectory);
while (!File.Exists(Path.Combine(root!.FullName, "InterimPlatform.sln")))
{
    root = root.Parent;
}

var configuration = typeof(AppHostRun).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
AppHostKind[] kinds =
[
    new("old", "AppHost.Legacy", Path.Combine(root.FullName, "AppHost.Legacy", "bin", configuration, "net10.0", "InterimPlatform.AppHost.Legacy"), IsAspire: false),
    new("new", "AppHost (Aspire)", Path.Combine(root.FullName, "AppHost", "bin", configuration, "net10.0", "InterimPlatform.AppHost"), IsAspire: true),
];
foreach (var kind in kinds.Where(k => !File.Exists(k.Executable)))
{
    Console.Error.WriteLine($"{kind.Executable} is not built: dotnet build -c {configuration} bench/AppHostFootprint");
    return 1;
}

using var stopping = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
{
    context.Cancel = true;
    stopping.Cancel();
});

var run = Guid.NewGuid().ToString("N")[..6];
var states = kinds.ToDictionary(k => k.Name, k => Path.Combine(Path.GetTempPath(), $"interim-footprint-{run}-{k.Name}"));
Console.WriteLine($"AppHost footprint: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {configuration} builds; "
    + $"1 cold and {warmRuns} warm start(s) each, alternating; {settle.TotalSeconds:0} s at rest before PSS, {idle.TotalSeconds:0} s of idle CPU");
Console.WriteLine($"Load average before: {File.ReadAllText("/proc/loadavg").Trim()}");
var results = new List<RunResult>();
try
{
    foreach (var kind in kinds)
    {
        results.Add(await AppHostRun.RunAsync(kind, states[kind.Name], cold: true, settle, idle, timeout, stopping.Token));
    }

    for (var i = 0; i < warmRuns; i++)
    {
        // Alternate which goes first, so neither always follows the other's shutdown.
        foreach (var kind in i % 2 == 0 ? kinds : kinds.Reverse())
        {
            results.Add(await AppHostRun.RunAsync(kind, states[kind.Name], cold: false, settle, idle, timeout, stopping.Token));
        }
    }
}
catch (Exception e) when (e is TimeoutException or InvalidOperationException or OperationCanceledException)
{
    Console.Error.WriteLine($"Stopped: {e.Message}");
    return 1;
}
finally
{
    foreach (var state in states.Values.Where(_ => !keepState))
    {
        try
        {
            Directory.Delete(state, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}

Report.Print(results, kinds, idle);
return 0;

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
