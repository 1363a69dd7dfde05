using InterimPlatform.Dashboard.Telemetry.Receivers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace InterimPlatform.Dashboard.Telemetry;

/// <summary>How a host wires the telemetry backend: the store and its receivers.</summary>
public static class TelemetryRegistration
{
    /// <summary>Largest OTLP request accepted over gRPC (the default 4 MB is below what a busy exporter may batch).</summary>
    private const int MaxRequestBytes = 64 * 1024 * 1024;

    /// <summary>
    /// Registers the <see cref="TelemetryStore"/> (also as <see cref="ITelemetryQueries"/>), the OTLP API key check, gRPC,
    /// and a hosted service that reads persisted telemetry back at start (receivers wait for it).
    /// </summary>
    public static IServiceCollection AddDashboardTelemetry(this IServiceCollection services, Action<TelemetryOptions> configure)
    {
        var options = new TelemetryOptions();
        configure(options);
        services.AddSingleton(options);
        services.AddSingleton(provider => new TelemetryStore(options, provider.GetService<TimeProvider>() ?? TimeProvider.System,
            provider.GetService<ILogger<TelemetryStore>>()));
        services.AddSingleton<ITelemetryQueries>(provider => provider.GetRequiredService<TelemetryStore>());
        services.AddSingleton<OtlpApiKey>();
        services.AddHostedService<TelemetryStartup>();
        services.AddGrpc()
            .AddServiceOptions<OtlpTraceReceiver>(grpc => grpc.MaxReceiveMessageSize = MaxRequestBytes)
            .AddServiceOptions<OtlpLogsReceiver>(grpc => grpc.MaxReceiveMessageSize = MaxRequestBytes)
            .AddServiceOptions<OtlpMetricsReceiver>(grpc => grpc.MaxReceiveMessageSize = MaxRequestBytes);
        return services;
    }

    /// <summary>
    /// The OTLP/gRPC collector services (<c>opentelemetry.proto.collector.{trace,logs,metrics}.v1</c>). Serve them on an
    /// HTTP/2 endpoint (h2c); the returned builder applies conventions to all three, e.g. <c>.RequireHost("*:18889")</c>.
    /// They allow anonymous callers to the host's authorization (the API key is their authentication).
    /// </summary>
    public static IEndpointConventionBuilder MapOtlpGrpc(this IEndpointRouteBuilder endpoints)
    {
        var builders = new IEndpointConventionBuilder[]
        {
            endpoints.MapGrpcService<OtlpTraceReceiver>(),
            endpoints.MapGrpcService<OtlpLogsReceiver>(),
            endpoints.MapGrpcService<OtlpMetricsReceiver>(),
        };
        var all = new ConventionBuilders(builders);
        all.AllowAnonymous();
        return all;
    }

    /// <summary>
    /// OTLP/HTTP protobuf: <c>POST /v1/traces</c>, <c>/v1/logs</c>, <c>/v1/metrics</c> (401 without the key, 415 for other
    /// media types). Returns the group, e.g. for <c>.RequireHost("*:18890")</c>; it allows anonymous callers.
    /// </summary>
    public static RouteGroupBuilder MapOtlpHttp(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1");
        group.MapPost("/traces", (HttpContext context, TelemetryStore store, OtlpApiKey key) => OtlpHttpReceiver.ReceiveAsync(context, TelemetrySignal.Traces, store, key));
        group.MapPost("/logs", (HttpContext context, TelemetryStore store, OtlpApiKey key) => OtlpHttpReceiver.ReceiveAsync(context, TelemetrySignal.Logs, store, key));
        group.MapPost("/metrics", (HttpContext context, TelemetryStore store, OtlpApiKey key) => OtlpHttpReceiver.ReceiveAsync(context, TelemetrySignal.Metrics, store, key));
        group.AllowAnonymous();
        group.DisableAntiforgery();
        return group;
    }

    private sealed class ConventionBuilders(IEndpointConventionBuilder[] builders) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            foreach (var builder in builders)
            {
                builder.Add(convention);
            }
        }

        public void Finally(Action<EndpointBuilder> finallyConvention)
        {
            foreach (var builder in builders)
            {
                builder.Finally(finallyConvention);
            }
        }
    }

    /// <summary>Reads persisted telemetry back without holding up the host's start; the receivers wait for it.</summary>
    private sealed class TelemetryStartup(TelemetryStore store, ILogger<TelemetryStore> logger) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                await store.StartAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "Persisted telemetry could not be read back");
            }
        }
    }
}
