using System.Text;
using RabbitMQ.Client;

namespace InterimPlatform.Messaging.Operations;

/// <summary>The receive queues of this service, recorded as MassTransit configures them.</summary>
public sealed class ServiceQueues
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names
    {
        get
        {
            lock (_names)
            {
                return [.. _names.Order(StringComparer.Ordinal)];
            }
        }
    }

    internal void Add(string queue)
    {
        lock (_names)
        {
            _names.Add(queue);
        }
    }

    public bool Contains(string queue)
    {
        lock (_names)
        {
            return _names.Contains(queue);
        }
    }

    /// <summary>Where MassTransit moves a queue's messages that still fail after every retry.</summary>
    public static string ErrorQueueOf(string queue) => queue + "_error";
}

/// <summary>An error queue and how many messages wait in it.</summary>
public sealed record ErrorQueueSummary(string Queue, string ErrorQueue, uint Messages);

/// <summary>A failed message as ops see it: what it was, why it failed, after how many attempts.</summary>
public sealed record FailedMessage(
    string? MessageId,
    string? MessageType,
    string? FaultExceptionType,
    string? FaultMessage,
    string? FaultTimestamp,
    int? RetryCount,
    string Body);

/// <summary>
/// Inspects a service's error queues and moves failed messages back to their queue for reprocessing, or
/// discards them. Plain AMQP: messages looked at but not acted on are returned to the error queue in place.
/// </summary>
public sealed class ErrorQueues(ConnectionFactory factory, ServiceQueues queues)
{
    private const string FaultHeaderPrefix = "MT-Fault-";
    private const int ScanLimit = 10_000;

    public async Task<IReadOnlyList<ErrorQueueSummary>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<ErrorQueueSummary>();
        foreach (var queue in queues.Names)
        {
            // A passive declare of a queue that does not exist closes the channel: one channel per queue.
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            try
            {
                var declared = await channel.QueueDeclarePassiveAsync(ServiceQueues.ErrorQueueOf(queue), cancellationToken).ConfigureAwait(false);
                result.Add(new ErrorQueueSummary(queue, declared.QueueName, declared.MessageCount));
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                result.Add(new ErrorQueueSummary(queue, ServiceQueues.ErrorQueueOf(queue), 0)); // nothing has failed there yet
            }
        }

        return result;
    }

    /// <summary>The first <paramref name="take"/> messages of the queue's error queue, left where they are.</summary>
    public async Task<IReadOnlyList<FailedMessage>> PeekAsync(string queue, int take, CancellationToken cancellationToken)
    {
        await using var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var messages = new List<FailedMessage>();
        try
        {
            while (messages.Count < take && await channel.BasicGetAsync(ServiceQueues.ErrorQueueOf(queue), autoAck: false, cancellationToken).ConfigureAwait(false) is { } delivery)
            {
                messages.Add(Describe(delivery));
            }
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (IsMissingQueue(e))
        {
            // MassTransit creates an error queue with its first failure: none yet, nothing failed.
        }

        // Closing the channel without acknowledging returns every message to the error queue, in order.
        return messages;
    }

    private static bool IsMissingQueue(RabbitMQ.Client.Exceptions.OperationInterruptedException e) => e.ShutdownReason?.ReplyCode == 404;

    /// <summary>Moves one failed message (or, with no id, all of them) back to its queue; returns how many moved.</summary>
    public Task<int> ReplayAsync(string queue, string? messageId, CancellationToken cancellationToken) =>
        TakeAsync(queue, messageId, replay: true, cancellationToken);

    /// <summary>Deletes one failed message (or, with no id, all of them); returns how many went.</summary>
    public Task<int> DiscardAsync(string queue, string? messageId, CancellationToken cancellationToken) =>
        TakeAsync(queue, messageId, replay: false, cancellationToken);

    private async Task<int> TakeAsync(string queue, string? messageId, bool replay, CancellationToken cancellationToken)
    {
        await using var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            cancellationToken).ConfigureAwait(false);
        var errorQueue = ServiceQueues.ErrorQueueOf(queue);
        uint waiting;
        try
        {
            await using var probe = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            waiting = (await probe.QueueDeclarePassiveAsync(errorQueue, cancellationToken).ConfigureAwait(false)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (IsMissingQueue(e))
        {
            return 0;
        }

        // Only what waited when we started: a replayed message that fails again lands behind them, not in this pass.
        var taken = 0;
        for (var scanned = 0; scanned < Math.Min(waiting, ScanLimit); scanned++)
        {
            BasicGetResult? delivery;
            try
            {
                delivery = await channel.BasicGetAsync(errorQueue, autoAck: false, cancellationToken).ConfigureAwait(false);
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (IsMissingQueue(e))
            {
                break;
            }

            if (delivery is null)
            {
                break;
            }

            if (messageId is not null && delivery.BasicProperties.MessageId != messageId)
            {
                continue; // returned to the error queue when the channel closes
            }

            if (replay)
            {
                var properties = new BasicProperties(delivery.BasicProperties)
                {
                    // The message goes back as it first arrived: without the fault's description.
                    Headers = delivery.BasicProperties.Headers?
                        .Where(h => !h.Key.StartsWith(FaultHeaderPrefix, StringComparison.Ordinal) && h.Key != "MT-Reason")
                        .ToDictionary(h => h.Key, h => h.Value),
                };
                // Through the default exchange straight to the queue; with confirms, before the ack below.
                await channel.BasicPublishAsync(exchange: "", routingKey: queue, mandatory: true, basicProperties: properties, body: delivery.Body, cancellationToken).ConfigureAwait(false);
            }

            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, cancellationToken).ConfigureAwait(false);
            taken++;
            if (messageId is not null)
            {
                break;
            }
        }

        return taken;
    }

    private static FailedMessage Describe(BasicGetResult delivery)
    {
        var headers = delivery.BasicProperties.Headers ?? new Dictionary<string, object?>();
        string? Header(string name) => headers.TryGetValue(name, out var value) ? value switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            null => null,
            _ => value.ToString(),
        } : null;

        return new FailedMessage(
            delivery.BasicProperties.MessageId,
            Header("MT-Fault-MessageType") ?? delivery.BasicProperties.Type,
            Header(FaultHeaderPrefix + "ExceptionType"),
            Header(FaultHeaderPrefix + "Message"),
            Header(FaultHeaderPrefix + "Timestamp"),
            int.TryParse(Header(FaultHeaderPrefix + "RetryCount"), out var retries) ? retries : null,
            Encoding.UTF8.GetString(delivery.Body.Span));
    }
}
