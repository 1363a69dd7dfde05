using Aspire.Hosting.ApplicationModel;

namespace InterimPlatform.Hosting.NativeServers;

/// <summary>Shows a child resource (a database) in its parent server's state, as Aspire does for containers' children.</summary>
internal static class ParentState
{
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
