using System.Collections.Concurrent;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace InterimPlatform.AppHost.Operations;

/// <summary>
/// A service's health on the dashboard: what its <c>/health</c> says, Degraded included (Aspire's HTTP check sees
/// only the status code, and a degraded service answers 200 so that the gateway keeps routing to it), and whether
/// failed messages wait in its error queues.
/// </summary>
/// <remarks>
/// A degraded service (an engagement in breach, a message parked since yesterday) still serves. Aspire marks a
/// resource ready only on its first Healthy report, and what waits for a service waits for that
/// (<see cref="PlatformModelExtensions.WaitForServing"/>); so a resource reports Degraded only once it has been
/// ready, and reports it again from its next check on (Aspire checks a healthy resource every 30 s).
/// </remarks>
public static class ServiceHealth
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public static IResourceBuilder<ExecutableResource> WithServiceHealthCheck(this IResourceBuilder<ExecutableResource> builder)
    {
        var resource = builder.Resource.Name;
        var endpoint = builder.GetEndpoint("http");
        var key = $"{resource}-health";
        builder.ApplicationBuilder.Services.TryAddSingleton<ReadyResources>();
        builder.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            key, sp => new DelegateHealthCheck(ct => CheckAsync(new Uri(endpoint.Url + "/health"), sp.GetRequiredService<ReadyResources>().IsReady(resource), ct)), failureStatus: null, tags: null));
        builder.ApplicationBuilder.Eventing.Subscribe<ResourceReadyEvent>(builder.Resource, (e, _) =>
        {
            e.Services.GetRequiredService<ReadyResources>().Set(e.Resource.Name, ready: true);
            return Task.CompletedTask;
        });
        builder.ApplicationBuilder.Eventing.Subscribe<ResourceStoppedEvent>(builder.Resource, (e, _) =>
        {
            e.Services.GetRequiredService<ReadyResources>().Set(e.Resource.Name, ready: false);
            return Task.CompletedTask;
        });
        return builder.WithHealthCheck(key);
    }

    /// <summary>Failed messages in the service's error queues make it Degraded (read by <see cref="ErrorQueueMonitor"/>).</summary>
    public static IResourceBuilder<ExecutableResource> WithErrorQueueHealthCheck(this IResourceBuilder<ExecutableResource> builder, string service, IReadOnlyList<string> services)
    {
        var resource = builder.Resource.Name;
        var key = $"{resource}-error-queues";
        builder.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            key, sp => new DelegateHealthCheck(_ =>
            {
                var waiting = sp.GetRequiredService<ErrorQueueMonitor>().WaitingFor(service, services);
                var ready = sp.GetRequiredService<ReadyResources>().IsReady(resource);
                return Task.FromResult(ErrorQueuesResult(waiting, ready));
            }), failureStatus: null, tags: null));
        return builder.WithHealthCheck(key);
    }

    public static HealthCheckResult ErrorQueuesResult(IReadOnlyList<(string ErrorQueue, long Messages)> waiting, bool ready) =>
        waiting.Count == 0
            ? HealthCheckResult.Healthy("No failed message waits in its error queues.")
            : Degraded(ready, "Failed messages wait: " + string.Join("; ", waiting.Select(w => $"{ErrorQueueView.Count(w.Messages)} in {w.ErrorQueue}")) + ".");

    /// <summary>What the service's <c>/health</c> answered, as one result.</summary>
    public static HealthCheckResult FromReport(int statusCode, string body, bool ready)
    {
        string? status = null;
        var unwell = new List<string>();
        try
        {
            using var report = JsonDocument.Parse(body);
            status = report.RootElement.TryGetProperty("status", out var s) ? s.GetString() : null;
            if (report.RootElement.TryGetProperty("checks", out var checks) && checks.ValueKind == JsonValueKind.Object)
            {
                foreach (var check in checks.EnumerateObject())
                {
                    var checkStatus = check.Value.TryGetProperty("status", out var cs) ? cs.GetString() : null;
                    if (checkStatus is not null and not nameof(HealthStatus.Healthy))
                    {
                        var description = check.Value.TryGetProperty("description", out var d) ? d.GetString() : null;
                        unwell.Add($"{check.Name}: {description ?? checkStatus}");
                    }
                }
            }
        }
        catch (JsonException)
        {
            // not our health report: the status code says enough
        }

        var details = string.Join("; ", unwell);
        return statusCode switch
        {
            200 when status == nameof(HealthStatus.Degraded) => Degraded(ready, details),
            200 => HealthCheckResult.Healthy(),
            _ => HealthCheckResult.Unhealthy($"/health answered {statusCode}{(details.Length > 0 ? ": " + details : "")}"),
        };
    }

    private static HealthCheckResult Degraded(bool ready, string description) =>
        ready ? HealthCheckResult.Degraded(description) : HealthCheckResult.Healthy(description + " (reported as Degraded once the service is ready)");

    private static async Task<HealthCheckResult> CheckAsync(Uri health, bool ready, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await s_http.GetAsync(health, cancellationToken);
            return FromReport((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken), ready);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"{health} does not answer: {e.Message}");
        }
    }
}

/// <summary>A health check made of a function (the AppHost's checks read what it already knows).</summary>
internal sealed class DelegateHealthCheck(Func<CancellationToken, Task<HealthCheckResult>> check) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) => check(cancellationToken);
}

/// <summary>Which resources have been ready (healthy once) since they last started.</summary>
public sealed class ReadyResources
{
    private readonly ConcurrentDictionary<string, bool> _ready = new(StringComparer.Ordinal);

    public bool IsReady(string resource) => _ready.GetValueOrDefault(resource);

    public void Set(string resource, bool ready) => _ready[resource] = ready;
}
