using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace InterimPlatform.Bench.GatewayOverhead;

/// <summary>
/// For tuning experiments (<c>--gateway-env KEY=VALUE</c>): a second instance of the gateway the AppHost
/// started — same binary, same working folder, the same environment read from /proc/PID/environ — with the
/// given variables added and its own port. Runtime knobs (DOTNET_*) and configuration (ReverseProxy__*,
/// Logging__*) then reach the gateway alone, not every service as the AppHost's environment would.
/// </summary>
internal sealed class TunedGateway : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private TunedGateway(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public int ProcessId => _process.Id;

    public static async Task<TunedGateway> StartAsync(int gatewayPid, IReadOnlyDictionary<string, string> overrides, CancellationToken cancellationToken)
    {
        var environment = (await File.ReadAllTextAsync($"/proc/{gatewayPid}/environ", cancellationToken)).Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Split('=', 2)).Where(e => e.Length == 2).ToDictionary(e => e[0], e => e[1], StringComparer.Ordinal);
        var commandLine = (await File.ReadAllTextAsync($"/proc/{gatewayPid}/cmdline", cancellationToken)).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        var workingDirectory = new DirectoryInfo($"/proc/{gatewayPid}/cwd").ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Directory.GetCurrentDirectory();
        var port = InterimPlatform.Hosting.NativeServers.LoopbackPorts.GetFreePort();
        var start = new ProcessStartInfo(commandLine[0])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in commandLine.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var (key, value) in environment.Concat(overrides))
        {
            start.Environment[key] = value;
        }

        start.Environment["ASPNETCORE_URLS"] = $"http://localhost:{port}";
        start.Environment["OTEL_SERVICE_NAME"] = "gateway-tuned";
        var process = Process.Start(start)!;
        var tuned = new TunedGateway(process, new Uri($"http://localhost:{port}"));
        process.OutputDataReceived += (_, e) => { lock (tuned._output) { tuned._output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (tuned._output) { tuned._output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        if (await Readiness.WaitUntilAnswersAsync(process, new Uri(tuned.Url, "/health"), TimeSpan.FromSeconds(60), cancellationToken))
        {
            return tuned;
        }

        string output;
        lock (tuned._output)
        {
            output = tuned._output.ToString();
        }

        await tuned.DisposeAsync();
        throw new InvalidOperationException($"The tuned gateway did not become healthy:\n{output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (TimeoutException)
            {
                _process.Kill();
            }
        }

        _process.Dispose();
    }
}
