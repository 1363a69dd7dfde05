using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every InterimPlatform service shares, as in .NET Aspire's ServiceDefaults template: OpenTelemetry
/// (logs, metrics, traces over OTLP), health checks, service discovery, resilient HTTP clients and
/// RFC 9457 problem details for every error response.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Activity sources and meters of the platform's own code.</summary>
    public const string PlatformTelemetryPrefix = "InterimPlatform.";

    private const string HealthEndpointPath = "/health";

    /// <summary>The log category of the health check service's entry per check and run.</summary>
    private const string HealthCheckServiceCategory = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";
    private const string AlivenessEndpointPath = "/alive";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.AddExceptionHandler<DatabaseUnavailableExceptionHandler>();
        builder.Services.AddExceptionHandler<UnstorableTextExceptionHandler>();
        // A body that does not fit its endpoint's type must reach BadRequestExceptionHandler in every
        // environment (the default throws only in Development and otherwise answers an empty 400).
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("MassTransit")
                .AddMeter(PlatformTelemetryPrefix + "*")
                .AddNpgsqlInstrumentation())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource("MassTransit")
                .AddSource(PlatformTelemetryPrefix + "*")
                .AddAspNetCoreInstrumentation(options =>
                    // Health probes would drown the traces that matter.
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation(options =>
                    // The gateway's own health probes of every instance start a trace each: an idle platform's
                    // traces would be nothing else. A probe made while serving a request stays in its trace.
                    options.FilterHttpRequestMessage = request => !IsUnrequestedProbe(request))
                .AddNpgsql()
                .AddProcessor(new BackgroundDatabaseSpans()));

        builder.AddOpenTelemetryExporters();
        return builder;
    }

    private static bool IsUnrequestedProbe(HttpRequestMessage request) =>
        request.RequestUri is { } uri
        && (uri.AbsolutePath == HealthEndpointPath || uri.AbsolutePath == AlivenessEndpointPath)
        // The filter runs with the client call's own activity current: no parent means nothing asked for it.
        && Activity.Current?.Parent is null;

    private static TBuilder AddOpenTelemetryExporters<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // Export only where the AppHost (or an operator) says where to: OTEL_EXPORTER_OTLP_ENDPOINT.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        // Health is logged as it changes, by HealthTransitions, not by the health check service, which logs every
        // unhealthy result at Error, including each one of a service that is only starting (docs/telemetry.md).
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IHealthCheckPublisher, HealthTransitions>();
        builder.Services.Configure<HealthCheckPublisherOptions>(options => options.Period = TimeSpan.FromSeconds(10));
        builder.Logging.AddFilter(HealthCheckServiceCategory, LogLevel.None);
        return builder;
    }

    /// <summary>Maps <c>/health</c> (every check: ready to serve) and <c>/alive</c> (liveness only).</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RequestInputGuard>();
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { ResponseWriter = WriteHealthReport })
            .DisableHttpMetrics().AllowAnonymous();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") })
            .DisableHttpMetrics().AllowAnonymous();
        return app;
    }

    /// <summary>Writes each check's status (and failure description) so an operator sees which dependency is down.</summary>
    private static Task WriteHealthReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            totalDurationMs = report.TotalDuration.TotalMilliseconds,
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description ?? e.Value.Exception?.Message }),
        });
    }
}
