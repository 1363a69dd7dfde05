using System.Globalization;
using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

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

/// <summary>
/// A queue whose error queue this service operates besides its MassTransit receive queues (which it operates
/// anyway), registered with <see cref="ErrorQueueRegistration.AddOperatedQueue"/>.
/// </summary>
/// <param name="Queue">The queue a replayed message goes back to.</param>
/// <param name="ErrorQueue">Where its failed or rejected messages wait.</param>
/// <param name="NotReplayableBecause">
/// Why moving its messages back cannot help, told to whoever asks for a replay; null when replaying is allowed.
/// Discarding is always allowed.
/// </param>
public sealed record OperatedQueue(string Queue, string ErrorQueue, string? NotReplayableBecause = null)
{
    public bool Replayable => NotReplayableBecause is null;
}

/// <summary>An error queue and how many messages wait in it.</summary>
/// <param name="Replayable">Whether its messages may be moved back to <paramref name="Queue"/>.</param>
/// <param name="NotReplayableBecause">Why not, when they may not; null otherwise.</param>
public sealed record ErrorQueueSummary(string Queue, string ErrorQueue, uint Messages, bool Replayable, string? NotReplayableBecause);

/// <summary>A failed message as ops see it: what it was, why it failed, when, after how many attempts.</summary>
/// <param name="FaultTimestamp">MassTransit's <c>MT-Fault-Timestamp</c> as written (kept for existing readers; see <paramref name="FailedAt"/>).</param>
/// <param name="FailedAt">When it failed: MassTransit's <c>MT-Fault-Timestamp</c>, or the partner intake's <c>x-rejected-at</c>.</param>
/// <param name="Reason">Why: the fault's message (<c>MT-Fault-Message</c>), or the partner intake's rejection reasons (<c>x-rejection-reasons</c>).</param>
/// <param name="Partner">The partner network that sent it (<c>x-partner</c>, the broker-validated AMQP user_id); null for the platform's own messages.</param>
public sealed record FailedMessage(
    string? MessageId,
    string? MessageType,
    string? FaultExceptionType,
    string? FaultMessage,
    string? FaultTimestamp,
    int? RetryCount,
    string Body,
    DateTimeOffset? FailedAt,
    string? Reason,
    string? Partner);

/// <summary>What a replay or discard of several messages did.</summary>
/// <param name="Count">How many messages were moved back or deleted.</param>
/// <param name="NotFound">The ids asked for that were not in the error queue (always empty when all were asked for).</param>
public sealed record ErrorQueueActionResult(int Count, IReadOnlyList<string> NotFound);

/// <summary>Thrown when a replay is asked of a queue whose messages cannot be replayed.</summary>
public sealed class NotReplayableException(OperatedQueue queue)
    : InvalidOperationException($"{queue.ErrorQueue} cannot be replayed: {queue.NotReplayableBecause}")
{
    public OperatedQueue Queue { get; } = queue;
}

/// <summary>
/// The broker went away in the middle of a replay or discard, after some messages were already acted on: those
/// stay done, the rest are untouched in the error queue.
/// </summary>
public sealed class ErrorQueueInterruptedException(int done, Exception inner)
    : Exception($"The connection to the message broker was lost after {done} messages were acted on.", inner)
{
    public int Done { get; } = done;
}

/// <summary>
/// Inspects a service's error queues and moves failed messages back to their queue for reprocessing, or
/// discards them. Plain AMQP: messages looked at but not acted on are returned to the error queue in place.
/// </summary>
public sealed class ErrorQueues(ConnectionFactory factory, ServiceQueues queues, IEnumerable<OperatedQueue> operated)
{
    private const string FaultHeaderPrefix = "MT-Fault-";
    private const int ScanLimit = 10_000;
    private readonly IReadOnlyList<OperatedQueue> _operated = [.. operated];

    /// <summary>The queues whose error queues this service operates: MassTransit's receive queues and the registered ones, by name.</summary>
    public IReadOnlyList<OperatedQueue> Queues =>
        [.. queues.Names
            .Where(name => !_operated.Any(o => o.Queue == name))
            .Select(name => new OperatedQueue(name, ServiceQueues.ErrorQueueOf(name)))
            .Concat(_operated)
            .OrderBy(q => q.Queue, StringComparer.Ordinal)];

    /// <summary>The operated queue named <paramref name="queue"/>, or null when this service does not operate it.</summary>
    public OperatedQueue? Find(string queue) =>
        _operated.FirstOrDefault(o => o.Queue == queue)
        ?? (queues.Contains(queue) ? new OperatedQueue(queue, ServiceQueues.ErrorQueueOf(queue)) : null);

    public async Task<IReadOnlyList<ErrorQueueSummary>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<ErrorQueueSummary>();
        foreach (var queue in Queues)
        {
            // A passive declare of a queue that does not exist closes the channel: one channel per queue.
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            uint messages;
            try
            {
                messages = (await channel.QueueDeclarePassiveAsync(queue.ErrorQueue, cancellationToken).ConfigureAwait(false)).MessageCount;
            }
            catch (OperationInterruptedException e) when (IsMissingQueue(e))
            {
                messages = 0; // nothing has failed there yet
            }

            result.Add(new ErrorQueueSummary(queue.Queue, queue.ErrorQueue, messages, queue.Replayable, queue.NotReplayableBecause));
        }

        return result;
    }

    /// <summary>The first <paramref name="take"/> messages of the queue's error queue, left where they are.</summary>
    public async Task<IReadOnlyList<FailedMessage>> PeekAsync(string queue, int take, CancellationToken cancellationToken)
    {
        var errorQueue = ErrorQueueOf(queue);
        await using var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var messages = new List<FailedMessage>();
        try
        {
            while (messages.Count < take && await channel.BasicGetAsync(errorQueue, autoAck: false, cancellationToken).ConfigureAwait(false) is { } delivery)
            {
                messages.Add(Describe(delivery));
            }
        }
        catch (OperationInterruptedException e) when (IsMissingQueue(e))
        {
            // MassTransit creates an error queue with its first failure: none yet, nothing failed.
        }

        // Closing the channel without acknowledging returns every message to the error queue, in order.
        return messages;
    }

    private static bool IsMissingQueue(OperationInterruptedException e) => e is not AlreadyClosedException && e.ShutdownReason?.ReplyCode == 404;

    private string ErrorQueueOf(string queue) => Find(queue)?.ErrorQueue ?? ServiceQueues.ErrorQueueOf(queue);

    /// <summary>Moves one failed message (or, with no id, all of them) back to its queue; returns how many moved.</summary>
    public async Task<int> ReplayAsync(string queue, string? messageId, CancellationToken cancellationToken) =>
        (await ReplayAsync(queue, messageId is null ? [] : [messageId], cancellationToken).ConfigureAwait(false)).Count;

    /// <summary>Deletes one failed message (or, with no id, all of them); returns how many went.</summary>
    public async Task<int> DiscardAsync(string queue, string? messageId, CancellationToken cancellationToken) =>
        (await DiscardAsync(queue, messageId is null ? [] : [messageId], cancellationToken).ConfigureAwait(false)).Count;

    /// <summary>
    /// Moves the failed messages with these ids (none named: every message that waited when it started) back to
    /// their queue, in one pass through the error queue.
    /// </summary>
    /// <exception cref="NotReplayableException">The queue's messages cannot be replayed; nothing was touched.</exception>
    /// <exception cref="ErrorQueueInterruptedException">The broker went away after some messages were moved.</exception>
    public Task<ErrorQueueActionResult> ReplayAsync(string queue, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        var operatedQueue = Find(queue) ?? new OperatedQueue(queue, ServiceQueues.ErrorQueueOf(queue));
        return operatedQueue.Replayable
            ? TakeAsync(operatedQueue, messageIds, replay: true, cancellationToken)
            : throw new NotReplayableException(operatedQueue);
    }

    /// <summary>
    /// Deletes the failed messages with these ids (none named: every message that waited when it started), in one
    /// pass through the error queue.
    /// </summary>
    /// <exception cref="ErrorQueueInterruptedException">The broker went away after some messages were deleted.</exception>
    public Task<ErrorQueueActionResult> DiscardAsync(string queue, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken) =>
        TakeAsync(Find(queue) ?? new OperatedQueue(queue, ServiceQueues.ErrorQueueOf(queue)), messageIds, replay: false, cancellationToken);

    private async Task<ErrorQueueActionResult> TakeAsync(OperatedQueue queue, IReadOnlyCollection<string> messageIds, bool replay, CancellationToken cancellationToken)
    {
        var wanted = messageIds.Count == 0 ? null : messageIds.ToHashSet(StringComparer.Ordinal);
        var found = new HashSet<string>(StringComparer.Ordinal);
        ErrorQueueActionResult Result(int count) =>
            new(count, wanted is null ? [] : [.. messageIds.Distinct(StringComparer.Ordinal).Where(id => !found.Contains(id))]);

        await using var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            cancellationToken).ConfigureAwait(false);
        uint waiting;
        try
        {
            await using var probe = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            waiting = (await probe.QueueDeclarePassiveAsync(queue.ErrorQueue, cancellationToken).ConfigureAwait(false)).MessageCount;
        }
        catch (OperationInterruptedException e) when (IsMissingQueue(e))
        {
            return Result(0);
        }

        // Only what waited when we started: a replayed message that fails again lands behind them, not in this pass.
        // Every message passed over stays unacknowledged on this channel until it closes, which puts them back in place.
        var taken = 0;
        var started = false;
        try
        {
            for (var scanned = 0; scanned < Math.Min(waiting, ScanLimit); scanned++)
            {
                BasicGetResult? delivery;
                try
                {
                    delivery = await channel.BasicGetAsync(queue.ErrorQueue, autoAck: false, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationInterruptedException e) when (IsMissingQueue(e))
                {
                    break;
                }

                if (delivery is null)
                {
                    break;
                }

                var messageId = delivery.BasicProperties.MessageId;
                if (wanted is not null && (messageId is null || !wanted.Contains(messageId)))
                {
                    continue; // returned to the error queue when the channel closes
                }

                started = true;
                if (replay)
                {
                    var properties = new BasicProperties(delivery.BasicProperties)
                    {
                        // The message goes back as it first arrived: without the fault's description.
                        Headers = delivery.BasicProperties.Headers?
                            .Where(h => !h.Key.StartsWith(FaultHeaderPrefix, StringComparison.Ordinal) && h.Key != "MT-Reason")
                            .ToDictionary(h => h.Key, h => h.Value),
                    };
                    // Through the exchange MassTransit names after its queue and binds to it alone, not the default
                    // exchange: a service's broker user may write only to its own exchanges, and write on the default
                    // exchange would reach every queue on the broker. With confirms, before the ack below.
                    await channel.BasicPublishAsync(exchange: queue.Queue, routingKey: "", mandatory: true, basicProperties: properties, body: delivery.Body, cancellationToken).ConfigureAwait(false);
                }

                // Once the copy is confirmed the ack must not be skipped because the caller went away: it would leave
                // the message in both queues (harmless through the inbox, but a surprise in the error queue's list).
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None).ConfigureAwait(false);
                taken++;
                if (wanted is not null && found.Add(messageId!) && found.Count == wanted.Count)
                {
                    break; // every id asked for is done: the rest of the queue need not be read
                }
            }
        }
        catch (Exception e) when (started && BrokerFaults.IsUnreachable(e))
        {
            throw new ErrorQueueInterruptedException(taken, e);
        }

        return Result(taken);
    }

    private static FailedMessage Describe(BasicGetResult delivery)
    {
        var headers = delivery.BasicProperties.Headers ?? new Dictionary<string, object?>();
        string? Header(string name) => headers.TryGetValue(name, out var value) ? value switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            null => null,
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        } : null;

        var faultTimestamp = Header(FaultHeaderPrefix + "Timestamp");
        var faultMessage = Header(FaultHeaderPrefix + "Message");
        return new FailedMessage(
            delivery.BasicProperties.MessageId,
            Header("MT-Fault-MessageType") ?? delivery.BasicProperties.Type,
            Header(FaultHeaderPrefix + "ExceptionType"),
            faultMessage,
            faultTimestamp,
            int.TryParse(Header(FaultHeaderPrefix + "RetryCount"), out var retries) ? retries : null,
            Encoding.UTF8.GetString(delivery.Body.Span),
            TimeOf(headers, FaultHeaderPrefix + "Timestamp") ?? TimeOf(headers, ErrorQueueHeaders.RejectedAt),
            faultMessage ?? Header(ErrorQueueHeaders.RejectionReasons),
            Header(ErrorQueueHeaders.Partner));
    }

    /// <summary>A header holding a time: an ISO 8601 string (as text or bytes), or an AMQP timestamp; null if it is neither.</summary>
    private static DateTimeOffset? TimeOf(IDictionary<string, object?> headers, string name) =>
        headers.TryGetValue(name, out var value) ? value switch
        {
            AmqpTimestamp timestamp => DateTimeOffset.FromUnixTimeSeconds(timestamp.UnixTime),
            DateTime dateTime => new DateTimeOffset(DateTime.SpecifyKind(dateTime, dateTime.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : dateTime.Kind)),
            DateTimeOffset dateTimeOffset => dateTimeOffset,
            byte[] bytes => Parse(Encoding.UTF8.GetString(bytes)),
            string text => Parse(text),
            _ => null,
        } : null;

    // A time without an offset is read as UTC: MassTransit and the partner intake both write UTC.
    private static DateTimeOffset? Parse(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null;
}

/// <summary>The headers, besides MassTransit's <c>MT-Fault-*</c>, that describe a message in an error queue.</summary>
public static class ErrorQueueHeaders
{
    /// <summary>Why a partner message was rejected: every reason, joined by <c> | </c>.</summary>
    public const string RejectionReasons = "x-rejection-reasons";

    /// <summary>When a message was rejected: ISO 8601, UTC.</summary>
    public const string RejectedAt = "x-rejected-at";

    /// <summary>The partner network that sent a rejected message: the AMQP user_id the broker validated.</summary>
    public const string Partner = "x-partner";
}

/// <summary>Which exceptions mean the broker cannot be reached (down, refusing connections, or the connection lost).</summary>
public static class BrokerFaults
{
    public static bool IsUnreachable(Exception exception) => exception switch
    {
        BrokerUnreachableException or ConnectFailureException or AlreadyClosedException => true,
        System.Net.Sockets.SocketException or IOException => true,
        // The broker closing the connection under us: a forced close (it is stopping) or a connection-level error.
        OperationInterruptedException { ShutdownReason: null or { ReplyCode: 320 or 501 or 504 or 541 } } => true,
        _ => exception.InnerException is { } inner && IsUnreachable(inner),
    };
}
