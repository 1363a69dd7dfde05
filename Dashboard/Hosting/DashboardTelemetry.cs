using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace InterimPlatform.Dashboard.Hosting;

/// <summary>
/// The seam to the telemetry backend (Dashboard/Telemetry: the OTLP receiver and the bounded, persisted
/// store behind <c>ITelemetryQueries</c>), built in parallel: its registration goes here.
/// </summary>
internal static class DashboardTelemetry
{
    public static void AddServices(IServiceCollection services, DashboardOptions options)
    {
        _ = services;
        _ = options;
    }

    public static void MapEndpoints(WebApplication app)
    {
        _ = app;
    }
}
