using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace InterimPlatform.Bench.GatewayOverhead;

/// <summary>
/// The reference target <c>yarp</c>: YARP with nothing of the platform around it — no authentication, roles,
/// rate limit, audit, telemetry or logging — forwarding to Matching with the fixed Bearer token, as nginx does.
/// It separates what YARP and Kestrel cost on this machine from what the gateway's features add. It runs as a
/// child process of this benchmark's own binary (<c>GatewayOverhead bare-yarp PORT UPSTREAM TOKEN</c>) so
/// its CPU time is its own.
/// </summary>
internal sealed class BareYarp : IAsyncDisposable
{
    public const string Mode = "bare-yarp";

    private readonly Process _process;

    private BareYarp(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public int ProcessId => _process.Id;

    /// <summary>The child's whole life: serve until killed.</summary>
    public static async Task<int> ServeAsync(int port, Uri upstream, string token)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenLocalhost(port));
        builder.Services.AddReverseProxy()
            .LoadFromMemory(
                [new RouteConfig { RouteId = "matching", ClusterId = "matching", Match = new RouteMatch { Path = "/api/matching/{**rest}" } }],
                [new ClusterConfig { ClusterId = "matching", Destinations = new Dictionary<string, DestinationConfig> { ["matching"] = new() { Address = upstream.ToString() } } }])
            .AddTransforms(context => context.AddRequestTransform(transform =>
            {
                transform.ProxyRequest.Headers.Remove("X-Api-Key");
                transform.ProxyRequest.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
                return ValueTask.CompletedTask;
            }));
        var app = builder.Build();
        app.MapReverseProxy();
        await app.RunAsync();
        return 0;
    }

    public static async Task<BareYarp> StartAsync(Uri upstream, string token, CancellationToken cancellationToken)
    {
        var port = InterimPlatform.Hosting.NativeServers.LoopbackPorts.GetFreePort();
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(BareYarp).Assembly.Location);
        }

        foreach (var argument in new[] { Mode, port.ToString(System.Globalization.CultureInfo.InvariantCulture), upstream.ToString(), token })
        {
            start.ArgumentList.Add(argument);
        }

        // Server GC, as the gateway runs (the web SDK's default); this console process would give workstation GC.
        start.Environment["DOTNET_gcServer"] = "1";
        var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var proxy = new BareYarp(process, new Uri($"http://localhost:{port}"));
        if (await Readiness.WaitUntilAnswersAsync(process, new Uri(proxy.Url, "/api/matching/weights"), TimeSpan.FromSeconds(30), cancellationToken))
        {
            return proxy;
        }

        await proxy.DisposeAsync();
        string log;
        lock (output)
        {
            log = output.ToString();
        }

        throw new InvalidOperationException($"The bare YARP reference did not answer within 30 s:{Environment.NewLine}{log}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
