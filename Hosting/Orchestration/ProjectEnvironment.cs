using InterimPlatform.Hosting.ApplicationModel;

namespace InterimPlatform.Hosting.Orchestration;

/// <summary>Where services send telemetry (Aspire passes its dashboard's OTLP endpoint and API key).</summary>
public sealed record OtlpSettings(string Endpoint, string? ApiKey = null, string Protocol = "grpc");

/// <summary>
/// The environment a project receives: exactly what a .NET Aspire AppHost would give it, so every
/// service runs unchanged under a real Aspire AppHost.
/// </summary>
public static class ProjectEnvironment
{
    public static IReadOnlyDictionary<string, string> Build(ProjectResource project, string instanceId, OtlpSettings? otlp)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = project.HttpUrl,
            // The services bind where they are told, not to any launchSettings.json profile.
            ["DOTNET_LAUNCH_PROFILE"] = "",
            ["OTEL_SERVICE_NAME"] = project.ServiceName,
            ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={instanceId}",
            // Aspire's development intervals: telemetry shows within a second.
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "1000",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "1000",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
            ["OTEL_METRICS_EXEMPLAR_FILTER"] = "trace_based",
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES"] = "true",
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES"] = "true",
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory",
            ["LOGGING__CONSOLE__FORMATTERNAME"] = "simple",
            ["LOGGING__CONSOLE__FORMATTEROPTIONS__TIMESTAMPFORMAT"] = "yyyy-MM-ddTHH:mm:ss.fffffff ",
        };

        if (otlp is not null)
        {
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp.Endpoint;
            environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = otlp.Protocol;
            if (otlp.ApiKey is { Length: > 0 } key)
            {
                environment["OTEL_EXPORTER_OTLP_HEADERS"] = $"x-otlp-api-key={key}";
            }
        }

        foreach (var reference in project.ConnectionReferences)
        {
            environment[$"ConnectionStrings__{reference.Name}"] = reference.GetConnectionString();
        }

        foreach (var service in project.ServiceReferences)
        {
            var index = 0;
            foreach (var instance in service.Instances)
            {
                environment[$"services__{service.Name}__http__{index++}"] = instance.HttpUrl;
            }
        }

        foreach (var (key, value) in project.Environment)
        {
            environment[key] = value;
        }

        return environment;
    }
}
