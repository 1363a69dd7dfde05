using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace InterimPlatform.Bench.FuzzPass;

/// <summary>
/// The whole platform as the AppHost runs it, in a state folder of its own on free ports; or, with
/// <c>--attach</c>, one already running (to iterate on the fuzz pass without restarting the platform).
/// </summary>
internal sealed class Platform : IAsyncDisposable
{
    private readonly Process? _appHost;
    private readonly bool _keepState;

    private Platform(string state, int gatewayPort, int amqpPort, Process? appHost, bool keepState)
    {
        State = state;
        Gateway = new Uri($"http://localhost:{gatewayPort}");
        AmqpPort = amqpPort;
        _appHost = appHost;
        _keepState = keepState;
        Secrets = Read("secrets.json");
        Partners = Read("partners.json");
        ApiKeys = Read("api-keys.json");
    }

    public string State { get; }

    public Uri Gateway { get; }

    public int AmqpPort { get; }

    public JsonElement Secrets { get; }

    public JsonElement Partners { get; }

    /// <summary>One development key per role: recruiter, ops, privacy-officer, admin.</summary>
    public JsonElement ApiKeys { get; }

    public static Platform Attach(string state, int gatewayPort, int amqpPort) => new(state, gatewayPort, amqpPort, null, keepState: true);

    public static async Task<Platform> StartAsync(string root, string configuration, bool keepState)
    {
        var state = Path.Combine(Path.GetTempPath(), "interim-fuzz-" + Guid.NewGuid().ToString("N")[..8]);
        var gatewayPort = FreePort();
        var amqpPort = FreePort();
        Console.WriteLine($"Starting the platform (AppHost, {configuration}) in {state} ...");
        var appHost = Process.Start(new ProcessStartInfo(Path.Combine(root, "AppHost", "bin", configuration, "net10.0", "InterimPlatform.AppHost"))
        {
            ArgumentList = { "--state-dir", state, $"--Gateway:Port={gatewayPort}", $"--Messaging:AmqpPort={amqpPort}" },
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            // Thousands of requests from four keys in a few minutes: the per-caller rate limit is not what is fuzzed.
            Environment = { ["Gateway__RateLimit__PermitsPerSecond"] = "100000", ["Gateway__RateLimit__Burst"] = "100000" },
        })!;
        var output = new StringBuilder();
        var healthy = new TaskCompletionSource();
        appHost.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.Contains("All resources are healthy", StringComparison.Ordinal) == true)
            {
                healthy.TrySetResult();
            }
        };
        appHost.BeginOutputReadLine();
        try
        {
            await healthy.Task.WaitAsync(TimeSpan.FromMinutes(3));
        }
        catch (TimeoutException)
        {
            lock (output)
            {
                Console.WriteLine(output.ToString());
            }

            await StopAsync(appHost);
            throw;
        }

        return new Platform(state, gatewayPort, amqpPort, appHost, keepState);
    }

    public string Key(string role) => ApiKeys.GetProperty(role).GetString()!;

    public async ValueTask DisposeAsync()
    {
        if (_appHost is null)
        {
            return;
        }

        await StopAsync(_appHost);
        _appHost.Dispose();
        if (_keepState)
        {
            Console.WriteLine($"State folder kept (logs in {Path.Combine(State, "logs")}).");
        }
        else
        {
            Directory.Delete(State, recursive: true);
        }
    }

    private static async Task StopAsync(Process appHost)
    {
        if (!appHost.HasExited)
        {
            // SIGTERM: the AppHost stops its resources in order; killing it would leave them running.
            Process.Start("kill", ["-TERM", appHost.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
            await appHost.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        }
    }

    private JsonElement Read(string file) => JsonDocument.Parse(File.ReadAllText(Path.Combine(State, file))).RootElement;

    private static int FreePort()
    {
        var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
