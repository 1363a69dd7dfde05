using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace InterimPlatform.AppHost.Operations;

/// <summary>A queue a service consumes, whose failed messages the on-call engineer operates from the dashboard.</summary>
/// <param name="Service">The service that owns the queue and carries out every action on it.</param>
/// <param name="Queue">The queue's name; its failed messages wait in <c>{Queue}_error</c>.</param>
public sealed record OperatedQueue(string Service, string Queue)
{
    public string ErrorQueue => Queue + "_error";

    /// <summary>The resource's name: Aspire's names allow letters, digits and hyphens only.</summary>
    public string ResourceName => ErrorQueue.Replace('_', '-');
}

/// <summary>
/// The queues of the platform's services. A resource must be declared before the app starts, and an error queue
/// appears on the broker only with its first failed message, so the list is kept here. A test compares it with
/// the queues each running service reports (<c>GET /api/{service}/messaging/error-queues</c>); an error queue
/// missing from it still shows in its service's health.
/// </summary>
public static class OperatedQueues
{
    public static readonly IReadOnlyList<OperatedQueue> All =
    [
        new("candidates", "candidates-partner-intake"),
        new("candidates", "candidates-candidate-placed"),
        new("candidates", "candidates-placement-ended"),
        new("candidates", "candidates-assignment-completed"),
        new("engagements", "engagements-shortlist-produced"),
        new("engagements", "engagements-candidate-erased"),
        new("matching", "matching-candidate-registered"),
        new("matching", "matching-candidate-profile-changed"),
        new("matching", "matching-candidate-availability-changed"),
        new("matching", "matching-candidate-vetting-changed"),
        new("matching", "matching-candidate-event-batch"),
        new("matching", "matching-candidate-erased"),
        new("matching", "matching-candidate-placed"),
        new("matching", "matching-placement-ended"),
        new("matching", "matching-match-requested"),
    ];

    /// <summary>The service an error queue belongs to, by the <c>{service}-</c> prefix every queue name has.</summary>
    public static string? OwnerOf(string errorQueue, IEnumerable<string> services) =>
        services.FirstOrDefault(s => errorQueue.StartsWith(s + "-", StringComparison.Ordinal));
}

/// <summary>An error queue on the dashboard, shown under the service that owns it.</summary>
public sealed class ErrorQueueResource(OperatedQueue queue, ExecutableResource owner)
    : Resource(queue.ResourceName), IResourceWithParent<ExecutableResource>
{
    public const string ResourceType = "ErrorQueue";

    public OperatedQueue Queue { get; } = queue;

    public ExecutableResource Parent { get; } = owner;
}

/// <summary>
/// What the dashboard shows of an error queue for its depth. Aspire shows a resource's health only while its state
/// is <c>Running</c>, so a queue holding messages is "Running" and Degraded, its depth in the health check's
/// description and in its properties; an empty one is hidden, so a quiet platform shows no noise.
/// </summary>
/// <param name="Messages">How many messages wait, or null before the broker was first read.</param>
public sealed record ErrorQueueView(long? Messages, string State, string StateStyle, bool Hidden, HealthStatus Health, string Description)
{
    public const string EmptyState = "Empty";
    public const string NotReadState = "Not read yet";

    public static ErrorQueueView Of(string errorQueue, long? messages) => messages switch
    {
        null => new(null, NotReadState, KnownResourceStateStyles.Info, Hidden: true, HealthStatus.Healthy, $"{errorQueue} has not been read yet."),
        <= 0 => new(0, EmptyState, KnownResourceStateStyles.Success, Hidden: true, HealthStatus.Healthy, $"{errorQueue} is empty."),
        var n => new(n, KnownResourceStates.Running, KnownResourceStateStyles.Warn, Hidden: false, HealthStatus.Degraded, $"{Count(n.Value)} in {errorQueue}."),
    };

    /// <summary>"1 message", "3 messages".</summary>
    public static string Count(long messages) => messages == 1 ? "1 message" : $"{messages} messages";
}
