using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace InterimPlatform.AppHost.Operations;

/// <summary>
/// What the on-call engineer operates from the Aspire dashboard: each error queue as a resource under its service
/// (depth, health, Peek/Replay/Discard), the services' own health (partner intake, the 10-day promise), and the
/// 10-day promise's lists.
/// </summary>
public static class PlatformOperations
{
    public static void Declare(IDistributedApplicationBuilder builder, IReadOnlyDictionary<string, IReadOnlyList<IResourceBuilder<ExecutableResource>>> services, GatewayOperations gateway)
    {
        builder.Services.AddSingleton(gateway);
        builder.Services.AddSingleton<ErrorQueueMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ErrorQueueMonitor>());

        var names = services.Keys.ToList();
        foreach (var (service, instances) in services)
        {
            foreach (var instance in instances)
            {
                instance.WithErrorQueueHealthCheck(service, names);
            }
        }

        foreach (var queue in OperatedQueues.All)
        {
            var key = $"{queue.ResourceName}-depth";
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(key, sp => new DelegateHealthCheck(_ =>
            {
                var view = ErrorQueueView.Of(queue.ErrorQueue, sp.GetRequiredService<ErrorQueueMonitor>().DepthOf(queue.ErrorQueue));
                return Task.FromResult(new HealthCheckResult(view.Health, view.Description));
            }), failureStatus: null, tags: null));

            builder.AddResource(new ErrorQueueResource(queue, services[queue.Service][0].Resource))
                .WithInitialState(new CustomResourceSnapshot
                {
                    ResourceType = ErrorQueueResource.ResourceType,
                    State = ErrorQueueView.NotReadState,
                    IsHidden = true,
                    Properties = [new("Service", queue.Service), new("Queue", queue.Queue), new("Error queue", queue.ErrorQueue)],
                })
                .WithIconName("MailWarning")
                .ExcludeFromManifest()
                .WithHealthCheck(key)
                .WithErrorQueueCommands(gateway);
        }

        services["engagements"][0].WithSlaCommand(gateway);
    }
}
