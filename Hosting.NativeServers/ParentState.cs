using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace InterimPlatform.Hosting.NativeServers;

/// <summary>Shows a child resource (a database) in its parent server's state, as Aspire does for containers' children.</summary>
internal static class ParentState
{
    /// <summary>
    /// Adds <paramref name="child"/>, something on a server that nothing runs (a database, a broker user): it shows
    /// its server's state (DCP runs the server; Aspire passes a parent's state on only to containers' children) and is
    /// healthy by <paramref name="check"/>.
    /// </summary>
    public static IResourceBuilder<TChild> AddChild<TChild, TParent>(IResourceBuilder<TParent> parent, TChild child, Func<IHealthCheck> check, CustomResourceSnapshot initialState, string iconName)
        where TChild : IResource
        where TParent : IResource
    {
        var healthCheckKey = $"{child.Name}_check";
        parent.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheckKey, _ => check(), HealthStatus.Unhealthy, tags: null));
        parent.ApplicationBuilder.Eventing.Subscribe<InitializeResourceEvent>(child, (e, cancellationToken) =>
        {
            _ = MirrorAsync(e.Notifications, parent.Resource, child, cancellationToken);
            return Task.CompletedTask;
        });

        return parent.ApplicationBuilder.AddResource(child)
            .WithInitialState(initialState)
            .WithIconName(iconName)
            .WithHealthCheck(healthCheckKey);
    }

    public static async Task MirrorAsync(ResourceNotificationService notifications, IResource parent, IResource child, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(cancellationToken).ConfigureAwait(false))
            {
                if (update.Resource == parent)
                {
                    var state = update.Snapshot.State;
                    await notifications.PublishUpdateAsync(child, s => s with
                    {
                        State = state,
                        StartTimeStamp = update.Snapshot.StartTimeStamp,
                        StopTimeStamp = update.Snapshot.StopTimeStamp,
                    }).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the AppHost is stopping
        }
    }
}
