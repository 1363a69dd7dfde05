using Microsoft.Extensions.DependencyInjection;

namespace InterimPlatform.Messaging.Operations;

/// <summary>How a service adds a queue of its own (not a MassTransit receive queue) to its error-queue API.</summary>
public static class ErrorQueueRegistration
{
    /// <summary>
    /// Lists <paramref name="queue"/> with its error queue among this service's error queues, so ops can peek at,
    /// discard and, unless <paramref name="notReplayableBecause"/> says why not, replay its messages.
    /// </summary>
    /// <param name="notReplayableBecause">
    /// Why moving a message back cannot help (shown in the list and as the detail of the 409 a replay gets); null
    /// when replaying is allowed.
    /// </param>
    public static IServiceCollection AddOperatedQueue(this IServiceCollection services, string queue, string errorQueue, string? notReplayableBecause = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queue);
        ArgumentException.ThrowIfNullOrWhiteSpace(errorQueue);
        services.AddSingleton(new OperatedQueue(queue, errorQueue, notReplayableBecause));
        return services;
    }
}
