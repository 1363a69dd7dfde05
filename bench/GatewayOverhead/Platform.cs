using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace InterimPlatform.Bench.GatewayOverhead;

/// <summary>
/// The real platform, started with the AppHost's Release build on a temporary state folder and its own
/// ports; stopped (SIGTERM, the AppHost stops its children in order) and the folder deleted on dispose.
/// </summary>
internal sealed class Platform : IAsyncDisposable
{
    private readonly Process _appHost;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<bool> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Platform(Process appHost, string state, int gatewayPort)
    {
        _appHost = appHost;
        State = state;
        Gateway = new Uri($"http://localhost:{gatewayPort}");
    }

    public string State { get; }

    public Uri Gateway { get; }

    /// <summary>Where a resource listens, from the AppHost's "name  Running  pid N; http://127.0.0.1:PORT" line.</summary>
    public Uri ServiceUrl(string resource)
    {
        // The last such line: the AppHost restarts a service that exits, on a new port.
        var match = Regex.Matches(Output, $@"^\S+\s+{Regex.Escape(resource)}\s+Running\s+pid \d+; (http://127\.0\.0\.1:\d+)", RegexOptions.Multiline).LastOrDefault();
        return match is not null
            ? new Uri(match.Groups[1].Value)
            : throw new InvalidOperationException($"The AppHost did not print where {resource} listens (no \"{resource}  Running  pid …; http://127.0.0.1:PORT\" line).");
    }

    /// <summary>A resource's process id, from the same line ("pid N"): the service itself (started through setsid, which execs).</summary>
    public int ProcessId(string resource)
    {
        var match = Regex.Matches(Output, $@"^\S+\s+{Regex.Escape(resource)}\s+Running\s+pid (\d+)", RegexOptions.Multiline).LastOrDefault();
        return match is not null
            ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"The AppHost did not print the pid of {resource}.");
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>A per-installation credential the AppHost generated in the state folder.</summary>
    public string Credential(string file, string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(State, file))).RootElement.TryGetProperty(name, out var value)
            ? value.GetString()!
            : throw new InvalidOperationException($"{Path.Combine(State, file)} has no \"{name}\".");

    public static async Task<Platform> StartAsync(string repository, string configuration, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var launcher = Path.Combine(repository, "AppHost", "bin", configuration, "net10.0", "InterimPlatform.AppHost");
        if (!File.Exists(launcher))
        {
            throw new InvalidOperationException($"{launcher} is not built. Run: dotnet build -c {configuration} AppHost");
        }

        var state = Path.Combine(Path.GetTempPath(), "interim-bench-gw-" + Guid.NewGuid().ToString("N")[..8]);
        var gatewayPort = FreePort();
        var amqpPort = FreePort();
        const int Attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            var start = new ProcessStartInfo(launcher)
            {
                // Its own gateway and AMQP ports, so a platform already running on this machine is not disturbed.
                ArgumentList = { "--state-dir", state, $"--Gateway:Port={gatewayPort}", $"--Messaging:AmqpPort={amqpPort}" },
                RedirectStandardOutput = true,
                RedirectStandardInput = true,
            };
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value; // every child inherits the AppHost's environment
            }

            Console.WriteLine($"Starting the platform: {launcher} {string.Join(' ', start.ArgumentList)}"
                + (environment.Count > 0 ? $" with {string.Join(' ', environment.Select(e => $"{e.Key}={e.Value}"))}" : ""));
            var platform = new Platform(Process.Start(start)!, state, gatewayPort);
            platform._appHost.OutputDataReceived += (_, e) =>
            {
                lock (platform._output)
                {
                    platform._output.AppendLine(e.Data);
                }

                if (e.Data?.Contains("All resources are healthy", StringComparison.Ordinal) == true)
                {
                    platform._started.TrySetResult(true);
                }
                else if (e.Data?.Contains("Not every resource started", StringComparison.Ordinal) == true)
                {
                    platform._started.TrySetResult(false);
                }
            };
            platform._appHost.BeginOutputReadLine();
            var keepState = false;
            try
            {
                var exited = platform._appHost.WaitForExitAsync(cancellationToken);
                var first = await Task.WhenAny(platform._started.Task, exited, Task.Delay(TimeSpan.FromMinutes(3), cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
                if (first == platform._started.Task && platform._started.Task.Result)
                {
                    Console.WriteLine(Regex.Match(platform.Output, @"All resources are healthy[^\n]*").Value.Trim());
                    return platform;
                }

                var problem = first == platform._started.Task ? "Not every resource started:"
                    : platform._appHost.HasExited ? $"The AppHost exited with code {platform._appHost.ExitCode} before the platform was healthy:"
                    : "The platform was not healthy after 3 minutes:";
                if (first != platform._started.Task || attempt == Attempts)
                {
                    throw new InvalidOperationException($"{problem}\n{platform.Output}");
                }

                // A resource that fails at start may be a first-start race in the AppHost: say so, and start
                // again on the same state folder (its credentials now exist).
                Console.WriteLine($"{problem} (attempt {attempt} of {Attempts}; starting again)");
                foreach (var line in platform.Output.Split('\n').Where(l => l.Contains("FailedToStart", StringComparison.Ordinal)))
                {
                    Console.WriteLine("  " + line.Trim());
                }

                keepState = true;
            }
            catch (Exception) when (!keepState)
            {
                await platform.StopAsync(deleteState: true);
                throw;
            }

            await platform.StopAsync(deleteState: false);
        }
    }

    public ValueTask DisposeAsync() => StopAsync(deleteState: true);

    private async ValueTask StopAsync(bool deleteState)
    {
        try
        {
            if (!_appHost.HasExited)
            {
                Console.WriteLine("Stopping the platform ...");
                Process.Start("kill", ["-TERM", _appHost.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
                try
                {
                    await _appHost.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
                }
                catch (TimeoutException)
                {
                    _appHost.Kill(); // its watchdog stops what it started
                }
            }
        }
        finally
        {
            _appHost.Dispose();
            if (deleteState && Directory.Exists(State))
            {
                Directory.Delete(State, recursive: true);
            }
        }
    }

    public static int FreePort()
    {
        var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
