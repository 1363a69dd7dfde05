using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using InterimPlatform.Candidates.Data;
using InterimPlatform.Contracts.Partners;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Operations;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace InterimPlatform.Candidates.PartnerIntake;

/// <summary>
/// Consumes partners' plain-AMQP messages in batches: every message gets a receipt on its partner's
/// receipts queue, alone or, if it asked (<see cref="ReceiptForm"/>), in one message with its partner's others of
/// the batch; a bad one goes to <see cref="PartnerTopology.IntakeErrorQueue"/> with its reasons and never stops the
/// consumer; the valid ones of a batch are applied together in one transaction. A message
/// is acknowledged only once its outcome is committed and its receipt and error copy confirmed.
/// </summary>
public sealed partial class PartnerIntakeWorker(
    IServiceScopeFactory scopes,
    ConnectionFactory connections,
    MessagingOptions messaging,
    TimeProvider time,
    IMeterFactory meters,
    ILogger<PartnerIntakeWorker> logger) : BackgroundService
{
    // A receipt batch answers one intake batch, so its documented cap is the intake's batch size.
    private const int BatchSize = PartnerReceiptBatch.MaxReceipts;
    private const ushort Prefetch = 2000;
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(20);
    // One span per batch: the batch's database commands and publishes are its children, so they are traced
    // like a consumer's (plain AMQP carries no trace context of ours to continue).
    private static readonly ActivitySource Tracing = new("InterimPlatform.Candidates.PartnerIntake");
    private readonly Counter<long> _processed = meters.Create("InterimPlatform.Candidates").CreateCounter<long>(
        "interimplatform.partner_intake.messages", "{message}", "Partner messages processed, by partner and receipt status.");
    // This instance's tally rows (replicas each keep their own, so they never contend for one).
    private readonly string _tallyWriter = PartnerIntakeTallies.NewWriter();

    private sealed record Delivery(ulong Tag, byte[] Body, string? UserId, string RoutingKey, string? MessageId, bool BatchedReceipt)
    {
        /// <summary>The broker-validated sender: the user_id, else the routing key (a partner may publish only with its own id).</summary>
        public string Sender => PartnerMessageReader.SenderOf(UserId, RoutingKey);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ConsumeAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Broker gone, or a database outage: unacknowledged messages go back to the queue; start over.
                LogConsumerFailed(e);
                await Task.Delay(TimeSpan.FromSeconds(2), time, stoppingToken);
            }
        }
    }

    /// <summary>
    /// Declares what this service owns of the partner topology; the AppHost (or, in a cluster, the Messaging Topology
    /// Operator) adds each partner's user and receipts queue. The queues are of the service's queue type
    /// (<see cref="MessagingOptions.QueueType"/>): quorum in a cluster, where the operator declares them quorum too.
    /// </summary>
    public static async Task DeclareTopologyAsync(IChannel channel, MessagingOptions messaging, CancellationToken cancellationToken)
    {
        await channel.ExchangeDeclareAsync(PartnerTopology.IntakeExchange, ExchangeType.Topic, durable: true, cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(PartnerTopology.ReceiptsExchange, ExchangeType.Topic, durable: true, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(PartnerTopology.IntakeQueue, durable: true, exclusive: false, autoDelete: false, arguments: messaging.QueueArguments, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(PartnerTopology.IntakeQueue, PartnerTopology.IntakeExchange, "#", cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(PartnerTopology.IntakeErrorQueue, durable: true, exclusive: false, autoDelete: false, arguments: messaging.QueueArguments, cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(PartnerTopology.IntakeErrorExchange, ExchangeType.Fanout, durable: true, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(PartnerTopology.IntakeErrorQueue, PartnerTopology.IntakeErrorExchange, "", cancellationToken: cancellationToken);
    }

    private async Task ConsumeAsync(CancellationToken stoppingToken)
    {
        await using var connection = await connections.CreateConnectionAsync("candidates partner intake", stoppingToken);
        await using var consuming = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
        await using var publishing = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), stoppingToken);
        await DeclareTopologyAsync(consuming, messaging, stoppingToken);
        await consuming.BasicQosAsync(0, Prefetch, global: false, stoppingToken);

        var inbox = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var consumer = new AsyncEventingBasicConsumer(consuming);
        consumer.ReceivedAsync += async (_, e) =>
        {
            // The body's memory belongs to the client library only until this handler returns.
            var properties = e.BasicProperties;
            await inbox.Writer.WriteAsync(
                new Delivery(e.DeliveryTag, e.Body.ToArray(), properties.UserId, e.RoutingKey, properties.MessageId, PartnerReceiptMessages.AsksForBatch(properties.Headers)),
                stoppingToken);
        };
        consumer.ShutdownAsync += (_, _) =>
        {
            inbox.Writer.TryComplete();
            return Task.CompletedTask;
        };
        await consuming.BasicConsumeAsync(PartnerTopology.IntakeQueue, autoAck: false, consumer, stoppingToken);

        // A batch's receipts are confirmed while the next batch is applied: it is acknowledged once they are, before the
        // next one is; straight away when no next batch is waiting.
        AppliedBatch? previous = null;
        while (true)
        {
            if (previous is not null && !inbox.Reader.TryPeek(out _))
            {
                await AcknowledgeAsync(consuming, previous, stoppingToken);
                previous = null;
            }

            if (!await inbox.Reader.WaitToReadAsync(stoppingToken))
            {
                throw new InvalidOperationException("The intake channel closed.");
            }

            var batch = new List<Delivery>(BatchSize);
            using (var window = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                window.CancelAfter(BatchWindow);
                try
                {
                    while (batch.Count < BatchSize && (inbox.Reader.TryRead(out var next) || (await inbox.Reader.WaitToReadAsync(window.Token) && inbox.Reader.TryRead(out next))))
                    {
                        batch.Add(next);
                    }
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // the batch window closed
                }
            }

            if (batch.Count == 0)
            {
                throw new InvalidOperationException("The intake channel closed.");
            }

            var started = time.GetTimestamp();
            var confirmed = await ProcessAsync(batch, publishing, stoppingToken);
            if (previous is not null)
            {
                await AcknowledgeAsync(consuming, previous, stoppingToken);
            }

            previous = new AppliedBatch(batch[^1].Tag, batch.Count, started, confirmed);
        }
    }

    /// <summary>A batch whose outcome is committed and whose receipts and error copies are on their way.</summary>
    private sealed record AppliedBatch(ulong LastTag, int Count, long Started, Task Confirmed);

    private async Task AcknowledgeAsync(IChannel consuming, AppliedBatch batch, CancellationToken cancellationToken)
    {
        await batch.Confirmed;
        await consuming.BasicAckAsync(batch.LastTag, multiple: true, cancellationToken);
        LogBatch(batch.Count, time.GetElapsedTime(batch.Started).TotalMilliseconds);
    }

    /// <summary>
    /// Applies the batch and publishes its receipts and error copies; returns once the outcome is committed, with a
    /// task that completes when the broker has confirmed all of them.
    /// </summary>
    private async Task<Task> ProcessAsync(List<Delivery> batch, IChannel publishing, CancellationToken cancellationToken)
    {
        using var activity = Tracing.StartActivity("partner-intake process", ActivityKind.Consumer);
        activity?.SetTag("messaging.system", "rabbitmq");
        activity?.SetTag("messaging.destination.name", PartnerTopology.IntakeQueue);
        activity?.SetTag("messaging.batch.message_count", batch.Count);
        var read = batch.Select(d => (Delivery: d, Read: PartnerMessageReader.Read(d.Body, d.UserId, d.RoutingKey))).ToList();
        var outcomes = new List<(Delivery Delivery, IntakeOutcome Outcome)>();
        outcomes.AddRange(read.Where(r => !r.Read.IsValid).Select(r => (r.Delivery, new IntakeOutcome(r.Read, ReceiptStatus.Rejected, r.Read.Reasons, null))));
        var valid = read.Where(r => r.Read.IsValid).ToList();
        // The messages rejected on reading are counted with the batch's transaction; without one, on their own.
        List<IntakeOutcome> untallied = [.. outcomes.Select(o => o.Outcome)];
        if (valid.Count > 0)
        {
            var (applied, notCounted) = await ApplyAsync(valid, untallied, cancellationToken);
            outcomes.AddRange(applied);
            untallied = notCounted;
        }

        await TallyAsync(untallied, cancellationToken);

        // A rejected message seen again (redelivered after a crash or a lost connection, or resent by the partner)
        // whose error copy was already confirmed gets its receipt again but no second error copy.
        var rejected = outcomes.Where(o => o.Outcome.Status == ReceiptStatus.Rejected && o.Delivery.MessageId is not null).ToList();
        var alreadyRejected = rejected.Count == 0 ? [] : await RecordedRejectionsAsync(rejected.Select(o => o.Delivery), cancellationToken);
        var rejectedNow = new List<(string Key, string Sender)>();

        // Publish every receipt and error copy of the batch, then wait for all the broker's confirms at once.
        // In arrival order (delivery tags ascend), which the receipts inside a batch keep.
        outcomes.Sort((a, b) => a.Delivery.Tag.CompareTo(b.Delivery.Tag));
        var now = time.GetUtcNow();
        var confirms = new List<Task>(outcomes.Count * 2);
        var batched = new List<PartnerReceipt>();
        foreach (var (delivery, outcome) in outcomes)
        {
            (string Key, string Sender)? rejection = delivery.MessageId is null ? null : (RejectionKey(delivery.MessageId), delivery.Sender);
            if (outcome.Status == ReceiptStatus.Rejected && (rejection is not { } seen || (!alreadyRejected.Contains(seen) && !rejectedNow.Contains(seen))))
            {
                if (rejection is { } first)
                {
                    rejectedNow.Add(first);
                }

                confirms.Add(PublishToErrorQueueAsync(publishing, delivery, outcome, now, cancellationToken));
            }

            var message = outcome.Read.Message;
            // A message too broken to read (not JSON, no messageId) still names itself by its AMQP message_id:
            // answered under it, the partner can tell which message was rejected.
            var messageId = message?.MessageId ?? (Guid.TryParse(delivery.MessageId, out var id) ? id : null);
            var receipt = new PartnerReceipt(messageId, outcome.Read.PartnerId, message?.Candidate?.PartnerPersonId, outcome.Status, outcome.Reasons, outcome.CandidateId, now);
            if (delivery.BatchedReceipt)
            {
                batched.Add(receipt);
            }
            else
            {
                confirms.Add(PublishReceiptAsync(publishing, receipt.PartnerId, PartnerReceiptMessages.Single(receipt, message?.MessageId?.ToString() ?? delivery.MessageId), cancellationToken));
            }

            _processed.Add(1, new KeyValuePair<string, object?>("partner", outcome.Read.PartnerId), new KeyValuePair<string, object?>("status", outcome.Status));
        }

        // One message per partner for the receipts asked for in a batch: a large push costs the broker one receipt per intake batch.
        foreach (var partner in batched.GroupBy(r => r.PartnerId, StringComparer.Ordinal))
        {
            confirms.Add(PublishReceiptAsync(publishing, partner.Key, PartnerReceiptMessages.Batch(partner.Key, [.. partner]), cancellationToken));
        }

        return ConfirmedAsync(confirms, rejectedNow, now, cancellationToken);
    }

    private async Task ConfirmedAsync(List<Task> confirms, List<(string Key, string Sender)> rejectedNow, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await Task.WhenAll(confirms);
        await RecordRejectionsAsync(rejectedNow, now, cancellationToken);
    }

    private static string RejectionKey(string messageId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(messageId)));

    /// <summary>The rejections among these deliveries already recorded; on a database failure, none (at worst one more error copy).</summary>
    private async Task<HashSet<(string Key, string Sender)>> RecordedRejectionsAsync(IEnumerable<Delivery> deliveries, CancellationToken cancellationToken)
    {
        var keys = deliveries.Select(d => RejectionKey(d.MessageId!)).Distinct().ToList();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CandidatesDbContext>();
            var recorded = await db.PartnerRejections.AsNoTracking().Where(r => keys.Contains(r.MessageKey)).Select(r => new { r.MessageKey, r.SenderId }).ToListAsync(cancellationToken);
            return [.. recorded.Select(r => (r.MessageKey, r.SenderId))];
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRejectionsUnavailable(e);
            return [];
        }
    }

    /// <summary>After the broker confirmed the error copies: a crash or a failure before this point means one more copy, never none.</summary>
    private async Task RecordRejectionsAsync(List<(string Key, string Sender)> rejected, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (rejected.Count == 0)
        {
            return;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CandidatesDbContext>();
            var keys = rejected.Select(r => r.Key).ToArray();
            var senders = rejected.Select(r => r.Sender).ToArray();
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO partner_rejections (message_key, sender_id, rejected_at)
                SELECT k, s, {now} FROM unnest({keys}::text[], {senders}::text[]) AS t(k, s)
                ON CONFLICT DO NOTHING
                """,
                cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRejectionsUnavailable(e);
        }
    }

    /// <summary>
    /// Applies the valid messages together; if the batch fails for a reason other than a passing fault,
    /// applies them one by one so only the message at fault is rejected. <paramref name="alsoTally"/> is counted
    /// with the first transaction that commits; what no transaction counted is returned as NotCounted.
    /// </summary>
    private async Task<(List<(Delivery, IntakeOutcome)> Outcomes, List<IntakeOutcome> NotCounted)> ApplyAsync(
        List<(Delivery Delivery, ReadMessage Read)> valid, List<IntakeOutcome> alsoTally, CancellationToken cancellationToken)
    {
        try
        {
            return (await ApplyBatchAsync(valid, alsoTally, cancellationToken), []);
        }
        catch (Exception e) when (!TransientFaults.IsTransient(e) && valid.Count > 1 && e is not OperationCanceledException)
        {
            LogBatchFailed(e, valid.Count);
            var outcomes = new List<(Delivery, IntakeOutcome)>();
            var notCounted = alsoTally;
            foreach (var single in valid)
            {
                try
                {
                    outcomes.AddRange(await ApplyBatchAsync([single], notCounted, cancellationToken));
                    notCounted = [];
                }
                catch (Exception failure) when (!TransientFaults.IsTransient(failure) && failure is not OperationCanceledException)
                {
                    var rejected = new IntakeOutcome(single.Read, ReceiptStatus.Rejected, [$"Could not be stored: {failure.GetBaseException().Message}"], null);
                    outcomes.Add((single.Delivery, rejected));
                    notCounted = [.. notCounted, rejected];
                }
            }

            return (outcomes, notCounted);
        }
    }

    /// <summary>Applies messages in one transaction; a passing fault (another replica's batch committed first, a dropped connection) is retried a few times here.</summary>
    private async Task<List<(Delivery, IntakeOutcome)>> ApplyBatchAsync(List<(Delivery Delivery, ReadMessage Read)> valid, List<IntakeOutcome> alsoTally, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ApplyOnceAsync(valid, alsoTally, cancellationToken);
            }
            catch (Exception e) when ((TransientFaults.IsTransient(e) || IsConcurrentInsert(e)) && attempt < 5 && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), time, cancellationToken);
            }
        }
    }

    /// <summary>Another replica stored the same person or message first: a fresh attempt sees it and answers duplicate.</summary>
    private static bool IsConcurrentInsert(Exception e) =>
        e.GetBaseException() is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    private async Task<List<(Delivery, IntakeOutcome)>> ApplyOnceAsync(List<(Delivery Delivery, ReadMessage Read)> valid, List<IntakeOutcome> alsoTally, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var processor = new PartnerIntakeProcessor(scope.ServiceProvider.GetRequiredService<CandidatesDbContext>(), time, _tallyWriter);
        var outcomes = await processor.ApplyAsync([.. valid.Select(v => v.Read)], alsoTally, cancellationToken);
        var byRead = valid.ToDictionary(v => v.Read, v => v.Delivery);
        return [.. outcomes.Select(o => (byRead[o.Read], o))];
    }

    /// <summary>
    /// Counts outcomes no batch transaction counted (a batch of rejections only): best effort, like the rejection
    /// records: a database outage must not hold up partners' receipts for a figure on the ops pages.
    /// </summary>
    private async Task TallyAsync(List<IntakeOutcome> outcomes, CancellationToken cancellationToken)
    {
        if (outcomes.Count == 0)
        {
            return;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await PartnerIntakeTallies.AddAsync(scope.ServiceProvider.GetRequiredService<CandidatesDbContext>(), _tallyWriter, time.GetUtcNow(), outcomes, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogTalliesUnavailable(e, outcomes.Count);
        }
    }

    /// <summary>To the partner's receipts queue: the receipts exchange routes by partner id.</summary>
    private static Task PublishReceiptAsync(IChannel channel, string partnerId, ReceiptMessage receipt, CancellationToken cancellationToken) =>
        channel.BasicPublishAsync(PartnerTopology.ReceiptsExchange, partnerId, mandatory: false, receipt.Properties, receipt.Body, cancellationToken).AsTask();

    private static Task PublishToErrorQueueAsync(IChannel channel, Delivery delivery, IntakeOutcome outcome, DateTimeOffset rejectedAt, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, object?>
        {
            [ErrorQueueHeaders.RejectionReasons] = Encoding.UTF8.GetBytes(string.Join(" | ", outcome.Reasons)),
            [ErrorQueueHeaders.RejectedAt] = Encoding.UTF8.GetBytes(rejectedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)),
        };
        // user_id itself cannot be copied: RabbitMQ accepts it only from the partner's own connection, and would refuse
        // this copy published as the service's user. So who sent it travels in a header.
        headers[ErrorQueueHeaders.Partner] = Encoding.UTF8.GetBytes(delivery.Sender);

        var properties = new BasicProperties
        {
            ContentType = "application/json",
            DeliveryMode = DeliveryModes.Persistent,
            MessageId = delivery.MessageId,
            Headers = headers,
        };
        return channel.BasicPublishAsync(PartnerTopology.IntakeErrorExchange, string.Empty, mandatory: true, properties, delivery.Body, cancellationToken).AsTask();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Partner intake batch of {Count} messages in {Milliseconds:0.0} ms")]
    private partial void LogBatch(int count, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read or record partner rejections; a redelivered rejected message may get a second error copy")]
    private partial void LogRejectionsUnavailable(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not count {Count} partner messages in the intake tallies")]
    private partial void LogTalliesUnavailable(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partner intake consumer failed; reconnecting")]
    private partial void LogConsumerFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} partner messages failed; applying them one by one to find the one at fault")]
    private partial void LogBatchFailed(Exception exception, int count);
}
