using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace InterimPlatform.Messaging.Operations;

/// <summary>The error-queue operations API every service exposes under <c>/api/{service}/messaging</c>.</summary>
public static class ErrorQueueEndpoints
{
    private const int MaxPeek = 200;

    public static IEndpointRouteBuilder MapErrorQueueEndpoints(this IEndpointRouteBuilder app, string serviceName)
    {
        var group = app.MapGroup($"/api/{serviceName}/messaging/error-queues").WithTags("Messaging operations");

        group.MapGet("/", async (ErrorQueues errors, CancellationToken ct) => TypedResults.Ok(await errors.ListAsync(ct)))
            .WithName($"{serviceName}-ListErrorQueues")
            .WithSummary("This service's error queues and how many failed messages each holds");

        group.MapGet("/{queue}/messages", PeekAsync)
            .WithName($"{serviceName}-PeekErrorQueue")
            .WithSummary("Failed messages of one queue, with the exception and the attempt count; they stay in the error queue");

        group.MapPost("/{queue}/messages/{messageId}/replay", async (string queue, string messageId, ErrorQueues errors, ServiceQueues queues, CancellationToken ct) =>
                await ActAsync(queue, messageId, queues, () => errors.ReplayAsync(queue, messageId, ct)))
            .WithName($"{serviceName}-ReplayFailedMessage")
            .WithSummary("Move one failed message back to its queue for reprocessing (after the fault is fixed)");

        group.MapPost("/{queue}/replay", async (string queue, ErrorQueues errors, ServiceQueues queues, CancellationToken ct) =>
                await ActAsync(queue, null, queues, () => errors.ReplayAsync(queue, null, ct)))
            .WithName($"{serviceName}-ReplayErrorQueue")
            .WithSummary("Move every failed message of the queue back for reprocessing");

        group.MapDelete("/{queue}/messages/{messageId}", async (string queue, string messageId, ErrorQueues errors, ServiceQueues queues, CancellationToken ct) =>
                await ActAsync(queue, messageId, queues, () => errors.DiscardAsync(queue, messageId, ct)))
            .WithName($"{serviceName}-DiscardFailedMessage")
            .WithSummary("Delete one failed message for good");

        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<FailedMessage>>, ProblemHttpResult>> PeekAsync(
        string queue, ErrorQueues errors, ServiceQueues queues, CancellationToken ct, int take = 20)
    {
        if (!queues.Contains(queue))
        {
            return UnknownQueue(queue, queues);
        }

        if (take is < 1 or > MaxPeek)
        {
            return TypedResults.Problem(title: "take is out of range.", detail: $"take must be between 1 and {MaxPeek}.", statusCode: StatusCodes.Status400BadRequest);
        }

        return TypedResults.Ok(await errors.PeekAsync(queue, take, ct));
    }

    private static async Task<Results<Ok<MovedMessages>, ProblemHttpResult>> ActAsync(string queue, string? messageId, ServiceQueues queues, Func<Task<int>> act)
    {
        if (!queues.Contains(queue))
        {
            return UnknownQueue(queue, queues);
        }

        var count = await act();
        if (messageId is not null && count == 0)
        {
            return TypedResults.Problem(title: "No such failed message.", detail: $"No message with id {messageId} is in {ServiceQueues.ErrorQueueOf(queue)}.", statusCode: StatusCodes.Status404NotFound);
        }

        return TypedResults.Ok(new MovedMessages(count));
    }

    private static ProblemHttpResult UnknownQueue(string queue, ServiceQueues queues) =>
        TypedResults.Problem(
            title: "Unknown queue.",
            detail: $"{queue} is not one of this service's queues ({string.Join(", ", queues.Names)}).",
            statusCode: StatusCodes.Status404NotFound);
}

/// <summary>How many messages an operation moved or deleted.</summary>
public sealed record MovedMessages(int Count);
