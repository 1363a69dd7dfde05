using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace InterimPlatform.Messaging.Operations;

/// <summary>Which failed messages a replay or discard is for.</summary>
/// <param name="MessageIds">Their message ids; absent or empty means every message that waited when the action started.</param>
public sealed record FailedMessageSelection(IReadOnlyList<string>? MessageIds);

/// <summary>How many messages an operation on one message moved or deleted.</summary>
public sealed record MovedMessages(int Count);

/// <summary>The error-queue operations API every service exposes under <c>/api/{service}/messaging</c>.</summary>
public static class ErrorQueueEndpoints
{
    private const int MaxPeek = 200;

    /// <summary>At most this many ids per request: a dashboard selects from what it peeked (at most <see cref="MaxPeek"/>).</summary>
    public const int MaxSelectedIds = 1000;

    /// <summary>The detail of the 503 every operation answers when the broker cannot be reached.</summary>
    public const string BrokerUnreachableDetail = "The message broker cannot be reached; nothing was changed.";

    public static IEndpointRouteBuilder MapErrorQueueEndpoints(this IEndpointRouteBuilder app, string serviceName)
    {
        var group = app.MapGroup($"/api/{serviceName}/messaging/error-queues").WithTags("Messaging operations");

        group.MapGet("/", ListAsync)
            .WithName($"{serviceName}-ListErrorQueues")
            .WithSummary("This service's error queues, how many failed messages each holds, and whether they may be replayed")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/{queue}/messages", PeekAsync)
            .WithName($"{serviceName}-PeekErrorQueue")
            .WithSummary("Failed messages of one queue: when and why they failed, who sent them, the attempt count; they stay in the error queue")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("/{queue}/replay", (string queue, FailedMessageSelection? selection, ErrorQueues errors, CancellationToken ct) =>
                ActOnSelectionAsync(queue, selection, replay: true, errors, ct))
            .WithName($"{serviceName}-ReplayErrorQueue")
            .WithSummary("Move the selected failed messages (no body, or no ids: all of them) back to their queue for reprocessing")
            .WithDescription(
                "The body names the messages by id; without one, every message that waited in the error queue when the replay started " +
                "is moved. Each copy is confirmed by the broker before the failed message is removed, so nothing is lost if the call is " +
                "interrupted. The answer counts what moved and lists the ids that were not found. 409 when the queue's messages cannot be " +
                "replayed (its notReplayableBecause); 503 when the broker cannot be reached.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .AddOpenApiOperationTransformer(SelectionExample);

        group.MapPost("/{queue}/discard", (string queue, FailedMessageSelection? selection, ErrorQueues errors, CancellationToken ct) =>
                ActOnSelectionAsync(queue, selection, replay: false, errors, ct))
            .WithName($"{serviceName}-DiscardErrorQueue")
            .WithSummary("Delete the selected failed messages (no body, or no ids: all of them) for good")
            .WithDescription(
                "The body names the messages by id; without one, every message that waited in the error queue when the discard started " +
                "is deleted. The answer counts what was deleted and lists the ids that were not found. Allowed on every queue, also one " +
                "whose messages cannot be replayed. 503 when the broker cannot be reached.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .AddOpenApiOperationTransformer(SelectionExample);

        group.MapPost("/{queue}/messages/{messageId}/replay", (string queue, string messageId, ErrorQueues errors, CancellationToken ct) =>
                ActOnOneAsync(queue, messageId, replay: true, errors, ct))
            .WithName($"{serviceName}-ReplayFailedMessage")
            .WithSummary("Move one failed message back to its queue for reprocessing (after the fault is fixed)")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapDelete("/{queue}/messages/{messageId}", (string queue, string messageId, ErrorQueues errors, CancellationToken ct) =>
                ActOnOneAsync(queue, messageId, replay: false, errors, ct))
            .WithName($"{serviceName}-DiscardFailedMessage")
            .WithSummary("Delete one failed message for good")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<ErrorQueueSummary>>, ProblemHttpResult>> ListAsync(ErrorQueues errors, CancellationToken ct)
    {
        try
        {
            return TypedResults.Ok(await errors.ListAsync(ct));
        }
        catch (Exception e) when (BrokerFaults.IsUnreachable(e))
        {
            return BrokerUnreachable();
        }
    }

    private static async Task<Results<Ok<IReadOnlyList<FailedMessage>>, ProblemHttpResult>> PeekAsync(
        string queue, ErrorQueues errors, CancellationToken ct, int take = 20)
    {
        if (errors.Find(queue) is null)
        {
            return UnknownQueue(queue, errors);
        }

        if (take is < 1 or > MaxPeek)
        {
            return TypedResults.Problem(title: "take is out of range.", detail: $"take must be between 1 and {MaxPeek}.", statusCode: StatusCodes.Status400BadRequest);
        }

        try
        {
            return TypedResults.Ok(await errors.PeekAsync(queue, take, ct));
        }
        catch (Exception e) when (BrokerFaults.IsUnreachable(e))
        {
            return BrokerUnreachable();
        }
    }

    private static async Task<Results<Ok<ErrorQueueActionResult>, ProblemHttpResult, ValidationProblem>> ActOnSelectionAsync(
        string queue, FailedMessageSelection? selection, bool replay, ErrorQueues errors, CancellationToken ct)
    {
        var ids = selection?.MessageIds ?? [];
        if (ids.Any(string.IsNullOrWhiteSpace))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["messageIds"] = ["Every message id must be a non-empty string."] },
                title: "The selection is not valid.");
        }

        if (ids.Count > MaxSelectedIds)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["messageIds"] = [$"At most {MaxSelectedIds} ids per request; send no ids to act on the whole queue."] },
                title: "The selection is not valid.");
        }

        if (Refuse(queue, replay, errors) is { } refusal)
        {
            return refusal;
        }

        try
        {
            return TypedResults.Ok(replay ? await errors.ReplayAsync(queue, ids, ct) : await errors.DiscardAsync(queue, ids, ct));
        }
        catch (Exception e) when (BrokerFaults.IsUnreachable(e))
        {
            return BrokerUnreachable();
        }
        catch (ErrorQueueInterruptedException e)
        {
            return Interrupted(e, replay);
        }
    }

    private static async Task<Results<Ok<MovedMessages>, ProblemHttpResult>> ActOnOneAsync(string queue, string messageId, bool replay, ErrorQueues errors, CancellationToken ct)
    {
        if (Refuse(queue, replay, errors) is { } refusal)
        {
            return refusal;
        }

        ErrorQueueActionResult result;
        try
        {
            result = replay ? await errors.ReplayAsync(queue, [messageId], ct) : await errors.DiscardAsync(queue, [messageId], ct);
        }
        catch (Exception e) when (BrokerFaults.IsUnreachable(e))
        {
            return BrokerUnreachable();
        }
        catch (ErrorQueueInterruptedException e)
        {
            return Interrupted(e, replay);
        }

        if (result.Count == 0)
        {
            return TypedResults.Problem(title: "No such failed message.", detail: $"No message with id {messageId} is in {errors.Find(queue)!.ErrorQueue}.", statusCode: StatusCodes.Status404NotFound);
        }

        return TypedResults.Ok(new MovedMessages(result.Count));
    }

    /// <summary>404 for a queue this service does not operate; 409 for a replay of a queue whose messages cannot be replayed.</summary>
    private static ProblemHttpResult? Refuse(string queue, bool replay, ErrorQueues errors) => errors.Find(queue) switch
    {
        null => UnknownQueue(queue, errors),
        { Replayable: false } notReplayable when replay => TypedResults.Problem(
            title: $"The messages of {notReplayable.ErrorQueue} cannot be replayed.",
            detail: notReplayable.NotReplayableBecause,
            statusCode: StatusCodes.Status409Conflict),
        _ => null,
    };

    private static ProblemHttpResult UnknownQueue(string queue, ErrorQueues errors) =>
        TypedResults.Problem(
            title: "Unknown queue.",
            detail: $"{queue} is not one of this service's queues ({string.Join(", ", errors.Queues.Select(q => q.Queue))}).",
            statusCode: StatusCodes.Status404NotFound);

    private static ProblemHttpResult BrokerUnreachable() =>
        TypedResults.Problem(title: "Message broker unreachable.", detail: BrokerUnreachableDetail, statusCode: StatusCodes.Status503ServiceUnavailable);

    private static ProblemHttpResult Interrupted(ErrorQueueInterruptedException e, bool replay) =>
        TypedResults.Problem(
            title: "Message broker unreachable.",
            detail: $"The connection to the message broker was lost after {e.Done} messages were {(replay ? "moved back" : "discarded")}; "
                + "the others are still in the error queue. A message being moved at that moment may now be in both queues "
                + "(the consumer's inbox applies it once). Peek to see what is left.",
            statusCode: StatusCodes.Status503ServiceUnavailable);

    /// <summary>The worked example of a selection body, on the operation (the same type serves every service's document).</summary>
    private static Task SelectionExample(Microsoft.OpenApi.OpenApiOperation operation, Microsoft.AspNetCore.OpenApi.OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.RequestBody?.Content is { } content)
        {
            foreach (var mediaType in content.Values)
            {
                mediaType.Example = new JsonObject
                {
                    ["messageIds"] = new JsonArray("3f1c9a52-7e1b-4d0a-9c55-2b8e6f0d4a17", "b2e47d90-15c3-4f8e-a6d1-90c4e3b7f258"),
                };
            }
        }

        return Task.CompletedTask;
    }
}
