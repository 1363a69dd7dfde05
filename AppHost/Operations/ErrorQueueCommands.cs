using System.Globalization;
using System.Net;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace InterimPlatform.AppHost.Operations;

/// <summary>
/// Peek, Replay and Discard on an error queue's resource. Each is carried out by the owning service's error-queue
/// API through the gateway (<see cref="GatewayOperations"/>), which holds a message unacknowledged until its copy is
/// confirmed where it goes: an interrupted replay loses nothing.
/// </summary>
public static class ErrorQueueCommands
{
    public const string Peek = "peek";
    public const string Replay = "replay";
    public const string Discard = "discard";
    public const string MessageIdsArgument = "messageIds";

    /// <summary>How many messages Peek shows.</summary>
    public const int PeekCount = 20;

    public static IResourceBuilder<ErrorQueueResource> WithErrorQueueCommands(this IResourceBuilder<ErrorQueueResource> builder, GatewayOperations gateway)
    {
        var queue = builder.Resource.Queue;
        var basePath = $"api/{queue.Service}/messaging/error-queues/{queue.Queue}";
        builder.WithCommand(Peek, "Peek", context => PeekAsync(gateway, queue, basePath, context.CancellationToken), new CommandOptions
        {
            Description = $"Show the first {PeekCount} failed messages: id, type, when and why they failed, and the partner who sent them.",
            IconName = "Eye",
            IsHighlighted = true,
            UpdateState = Availability,
        });
        builder.WithCommand(Replay, "Replay", context => ActAsync(gateway, queue, basePath + "/replay", replay: true, context), new CommandOptions
        {
            Description = $"Move failed messages back to {queue.Queue} to be processed again, once their fault is fixed.",
            ConfirmationMessage = $"Move the failed messages back to {queue.Queue} to be processed again?",
            IconName = "ArrowRedo",
            Arguments = [MessageIds("to move back")],
            UpdateState = Availability,
        });
        builder.WithCommand(Discard, "Discard", context => ActAsync(gateway, queue, basePath + "/discard", replay: false, context), new CommandOptions
        {
            Description = "Delete failed messages for good.",
            ConfirmationMessage = $"Delete the failed messages of {queue.ErrorQueue} for good? They cannot be recovered.",
            IconName = "Delete",
            Arguments = [MessageIds("to delete")],
            UpdateState = Availability,
        });
        return builder;
    }

    /// <summary>Whether a command on a queue of <paramref name="service"/> can be carried out: the service and the gateway run.</summary>
    public static bool ServiceAvailable(ResourceNotificationService notifications, string service) =>
        IsRunning(notifications, service) && IsRunning(notifications, "gateway");

    private static bool IsRunning(ResourceNotificationService notifications, string resource) =>
        notifications.TryGetCurrentState(resource, out var e) && e.Snapshot.State?.Text == KnownResourceStates.Running;

    private static ResourceCommandState Availability(UpdateCommandStateContext context) =>
        context.ResourceSnapshot.Properties.FirstOrDefault(p => p.Name == ErrorQueueMonitor.CommandsAvailableProperty)?.Value is true
            ? ResourceCommandState.Enabled
            : ResourceCommandState.Disabled;

    private static InteractionInput MessageIds(string what) => new()
    {
        Name = MessageIdsArgument,
        Label = "Message ids",
        InputType = InputType.Text,
        Required = false,
        Placeholder = "all messages",
        Description = $"The ids of the messages {what} (from Peek), separated by spaces or commas. Leave empty for every message now in the queue.",
    };

    private static async Task<ExecuteCommandResult> PeekAsync(GatewayOperations gateway, OperatedQueue queue, string basePath, CancellationToken cancellationToken)
    {
        var answer = await gateway.GetAsync<List<FailedMessage>>($"{basePath}/messages?take={PeekCount}", cancellationToken);
        if (!answer.Succeeded)
        {
            return CommandResults.Failure(Refusal(queue, answer.Status, answer.Problem, "Nothing was read."));
        }

        var messages = answer.Value ?? [];
        if (messages.Count == 0)
        {
            return CommandResults.Success($"{queue.ErrorQueue} is empty: there is nothing to show.");
        }

        return CommandResults.Success($"The first {ErrorQueueView.Count(messages.Count)} of {queue.ErrorQueue}.", Markdown(queue, messages), CommandResultFormat.Markdown, displayImmediately: true);
    }

    private static async Task<ExecuteCommandResult> ActAsync(GatewayOperations gateway, OperatedQueue queue, string path, bool replay, ExecuteCommandContext context)
    {
        var ids = ParseIds(context.Arguments?.GetString(MessageIdsArgument));
        var answer = await gateway.PostAsync<MovedMessages>(path, ids.Count == 0 ? null : new { messageIds = ids }, context.CancellationToken);
        if (!answer.Succeeded || answer.Value is not { } moved)
        {
            return CommandResults.Failure(Refusal(queue, answer.Status, answer.Problem, "Nothing was changed."));
        }

        var done = replay
            ? $"Moved {ErrorQueueView.Count(moved.Count)} back to {queue.Queue}."
            : $"Deleted {ErrorQueueView.Count(moved.Count)} from {queue.ErrorQueue}.";
        if (moved.NotFound is { Count: > 0 } missing)
        {
            done += $" Not in the queue (already moved or deleted?): {string.Join(", ", missing)}.";
        }

        return CommandResults.Success(done);
    }

    /// <summary>Message ids as an operator pastes them: separated by spaces, commas or new lines.</summary>
    public static IReadOnlyList<string> ParseIds(string? text) =>
        [.. (text ?? "").Split([' ', ',', ';', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)];

    private static string Refusal(OperatedQueue queue, HttpStatusCode? status, string? problem, string outcome) => status switch
    {
        null => $"{problem} {outcome}",
        HttpStatusCode.NotFound => $"{queue.Service} does not know {queue.Queue}: {problem} {outcome}",
        HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout => $"{queue.Service} or the broker is not available: {problem} {outcome}",
        _ => $"{problem} {outcome}",
    };

    /// <summary>The messages as a Markdown table, then each one's reason in full.</summary>
    public static string Markdown(OperatedQueue queue, IReadOnlyList<FailedMessage> messages)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"### {queue.ErrorQueue}\n\n");
        text.Append("| Message id | Type | Failed at (UTC) | Partner | Reason |\n|---|---|---|---|---|\n");
        foreach (var m in messages)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"| `{Cell(m.MessageId)}` | {Cell(ShortType(m.MessageType))} | {m.FailedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? ""} | {Cell(m.Partner)} | {Cell(Shorten(m.Reason ?? m.FaultMessage, 160))} |\n");
        }

        return text.ToString();
    }

    private static string? ShortType(string? type) =>
        type is null ? null : type.Split(':').LastOrDefault(s => s.Length > 0) ?? type;

    private static string Shorten(string? text, int max) =>
        text is null ? "" : text.Length <= max ? text : text[..max] + "…";

    private static string Cell(string? text) =>
        (text ?? "").Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}

/// <summary>A failed message, as the services' error-queue API describes it.</summary>
public sealed record FailedMessage(
    string? MessageId,
    string? MessageType,
    string? FaultExceptionType,
    string? FaultMessage,
    DateTimeOffset? FailedAt,
    string? Reason,
    string? Partner);

/// <summary>What a replay or discard did.</summary>
public sealed record MovedMessages(int Count, IReadOnlyList<string>? NotFound);
