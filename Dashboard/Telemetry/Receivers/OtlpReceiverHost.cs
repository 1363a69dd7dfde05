using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace InterimPlatform.Dashboard.Telemetry.Receivers;

/// <summary>
/// The telemetry backend alone on Kestrel, as the AppHost hosts it (Aspire's two OTLP endpoints: gRPC over h2c, and
/// HTTP/1.1 + HTTP/2), on free loopback ports: for the receiver tests and the benchmark.
/// </summary>
internal sealed class OtlpReceiverHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiverHost(WebApplication app, Uri grpcEndpoint, Uri httpEndpoint)
    {
        _app = app;
        GrpcEndpoint = grpcEndpoint;
        HttpEndpoint = httpEndpoint;
    }

    /// <summary>OTLP/gRPC (HTTP/2 without TLS).</summary>
    public Uri GrpcEndpoint { get; }

    /// <summary>OTLP/HTTP; signal paths are <c>/v1/traces</c>, <c>/v1/logs</c>, <c>/v1/metrics</c>.</summary>
    public Uri HttpEndpoint { get; }

    public TelemetryStore Store => _app.Services.GetRequiredService<TelemetryStore>();

    public IServiceProvider Services => _app.Services;

    public static async Task<OtlpReceiverHost> StartAsync(Action<TelemetryOptions> configure, CancellationToken cancellationToken)
    {
        var grpcPort = FreePort();
        var httpPort = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Loopback, httpPort, listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
        });
        builder.Services.AddDashboardTelemetry(configure);
        var app = builder.Build();
        app.MapOtlpGrpc();
        app.MapOtlpHttp();
        await app.StartAsync(cancellationToken);
        var host = new OtlpReceiverHost(app, new Uri($"http://127.0.0.1:{grpcPort}"), new Uri($"http://127.0.0.1:{httpPort}"));
        await host.Store.Ready.WaitAsync(cancellationToken);
        return host;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
