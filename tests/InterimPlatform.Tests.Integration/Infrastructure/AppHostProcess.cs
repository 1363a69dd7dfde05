using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using InterimPlatform.Hosting.NativeServers;

namespace InterimPlatform.Tests.Integration.Infrastructure;

/// <summary>
/// The real AppHost, run from its build output as a user would run it, with its own state folder and
/// gateway port. Records the process id of every resource it reports as running.
/// </summary>
public sealed partial class AppHostProcess : IAsyncDisposable
{
    public const string AllHealthyMarker = "All resources are healthy";

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _healthy = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed;

    private AppHostProcess(Process process, string stateDirectory, int gatewayPort)
    {
        _process = process;
        StateDirectory = stateDirectory;
        GatewayPort = gatewayPort;
    }

    public string StateDirectory { get; }

    public int GatewayPort { get; }

    public Uri GatewayUrl => new($"http://localhost:{GatewayPort}");

    /// <summary>The development API key the AppHost created for <paramref name="role"/>.</summary>
    public string ApiKey(string role)
    {
        using var keys = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(StateDirectory, "api-keys.json")));
        return keys.RootElement.GetProperty(role).GetString()!;
    }

    /// <summary>A client of the gateway that authenticates with the development key of <paramref name="role"/>.</summary>
    public HttpClient Client(string role = "recruiter")
    {
        var client = new HttpClient { BaseAddress = GatewayUrl };
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey(role));
        return client;
    }

    public int ProcessId => _process.Id;

    /// <summary>The dashboard's login link as the AppHost printed it (<c>Dashboard: http://localhost:…/login?t=…</c>).</summary>
    public string? DashboardLoginUrl => DashboardLine().Match(Output) is { Success: true } match ? match.Groups["url"].Value : null;

    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>Starts the AppHost; <paramref name="stateDirectory"/> defaults to a new temporary folder.</summary>
    public static AppHostProcess Start(string? stateDirectory = null, int? gatewayPort = null)
    {
        stateDirectory ??= Path.Combine(Path.GetTempPath(), "interim-apphost-" + Guid.NewGuid().ToString("N")[..12]);
        var port = gatewayPort ?? LoopbackPorts.GetFreePort();
        // As from a terminal: SIGINT handled by default. A test run started in the background of a script without job
        // control ignores SIGINT, every child inherits that, and the AppHost would never see the Ctrl+C sent to it.
        var start = new ProcessStartInfo("env")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        // The dashboard's ports too: the defaults (18888-18890) may be taken by an AppHost someone runs by hand.
        var dashboardPort = LoopbackPorts.GetFreePort();
        string[] arguments =
        [
            "--default-signal=INT", AppHostExecutable(),
            "--state-dir", stateDirectory, $"--Gateway:Port={port}", $"--Messaging:AmqpPort={LoopbackPorts.GetFreePort()}",
            $"--Dashboard:Port={dashboardPort}", $"--Dashboard:OtlpGrpcPort={LoopbackPorts.GetFreePort()}", $"--Dashboard:OtlpHttpPort={LoopbackPorts.GetFreePort()}",
            $"--Dashboard:ResourceServicePort={LoopbackPorts.GetFreePort()}",
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var host = new AppHostProcess(process, stateDirectory, port);
        process.OutputDataReceived += (_, e) => host.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => host.OnOutput(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    public async Task WaitUntilHealthyAsync(TimeSpan? timeout = null)
    {
        try
        {
            await Task.WhenAny(_healthy.Task, _process.WaitForExitAsync()).WaitAsync(timeout ?? TimeSpan.FromMinutes(3));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The AppHost did not report '{AllHealthyMarker}'. Output:{Environment.NewLine}{Output}");
        }

        if (!_healthy.Task.IsCompleted)
        {
            throw new InvalidOperationException($"The AppHost exited with code {_process.ExitCode} before it was healthy. Output:{Environment.NewLine}{Output}");
        }
    }

    /// <summary>Sends SIGTERM (as systemd asks a service to stop), or SIGINT (Ctrl+C), and waits for the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout, string signal = "TERM")
    {
        if (!_process.HasExited)
        {
            await CommandRunner.RunAsync("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], CancellationToken.None);
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            // What it was doing when it would not stop, for the report.
            throw new TimeoutException($"The AppHost did not exit within {timeout.TotalSeconds} s of SIG{signal}. Output:{Environment.NewLine}{Output}");
        }

        return _process.ExitCode;
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: the AppHost gets no chance to clean up.</summary>
    public void Kill() => _process.Kill(entireProcessTree: false);

    public static bool IsAlive(int processId)
    {
        // A zombie has exited: only its entry in the process table is left until it is reaped.
        var status = $"/proc/{processId}/status";
        return File.Exists(status) && !File.ReadAllText(status).Contains("State:\tZ", StringComparison.Ordinal);
    }

    /// <summary>
    /// Every process the AppHost started, directly or not: its descendants and those of DCP, which detaches from it
    /// (and whose processes name the AppHost in <c>--monitor</c>): DCP's servers and monitors, the dashboard, the
    /// services, PostgreSQL, RabbitMQ and its port mapper.
    /// </summary>
    public IReadOnlyList<(int Pid, string CommandLine)> PlatformProcesses()
    {
        var processes = new Dictionary<int, (int Parent, string CommandLine)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || !IsAlive(pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                processes[pid] = (parent, File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Trim());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // exited while we looked
            }
        }

        var roots = processes.Where(p => p.Key == ProcessId || p.Value.CommandLine.Contains($"--monitor {ProcessId}", StringComparison.Ordinal)).Select(p => p.Key).ToHashSet();
        var found = new HashSet<int>(roots);
        bool added;
        do
        {
            added = false;
            foreach (var (pid, (parent, _)) in processes)
            {
                if (!found.Contains(pid) && found.Contains(parent))
                {
                    added |= found.Add(pid);
                }
            }
        }
        while (added);

        return [.. found.Where(pid => pid != ProcessId).Select(pid => (pid, processes[pid].CommandLine))];
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            try
            {
                await StopAsync(TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    public void DeleteStateFolder()
    {
        if (Directory.Exists(StateDirectory))
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
    }

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

    private static string AppHostExecutable()
    {
        var executable = Checkout.Executable("AppHost", "InterimPlatform.AppHost");
        return File.Exists(executable) ? executable : throw new FileNotFoundException("Build the AppHost first.", executable);
    }

    [GeneratedRegex(@"Dashboard:\s+(?<url>http://localhost:\d+/login\?t=\S+)")]
    private static partial Regex DashboardLine();
}
