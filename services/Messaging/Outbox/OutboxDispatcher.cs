using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace InterimPlatform.Messaging.Outbox;

/// <summary>
/// Publishes committed outbox rows to RabbitMQ and marks them sent only once the broker confirmed them.
/// <list type="bullet">
/// <item>Rows are claimed with <c>FOR UPDATE SKIP LOCKED</c>, so several instances of a service can
/// dispatch the same outbox and no row is sent by two of them.</item>
/// <item>Only the oldest unsent row of each aggregate is eligible, so events about one candidate or
/// engagement are published in the order they were written, whichever instance sends them.</item>
/// <item>Anything left unsent (a crash between commit and publish, a broker outage) is picked up by the
/// next sweep; while the broker is down the dispatcher backs off without blocking any request.</item>
/// <item>Where the service registered an <see cref="IOutboxBatchForm"/>, the batch's events of the types it carries
/// travel together as one message.</item>
/// </list>
/// </summary>
public sealed partial class OutboxDispatcher<TDbContext>(
    IServiceScopeFactory scopes,
    IBus bus,
    OutboxSignal signal,
    OutboxMonitor monitor,
    IEnumerable<IOutboxBatchForm> batchForms,
    TimeProvider timeProvider,
    ILogger<OutboxDispatcher<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    private const int BatchSize = 500;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan SentRetention = TimeSpan.FromDays(7);
    private static readonly TimeSpan InboxRetention = TimeSpan.FromDays(30);
    private static readonly TimeSpan CleanupInterval = TimeSpan.FromHours(1);

    internal static readonly ActivitySource ActivitySource = new(OutboxMonitor.MeterName);

    private readonly IOutboxBatchForm? _batchForm = batchForms.SingleOrDefault();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        var lastCleanup = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var sent = await DispatchBatchAsync(stoppingToken).ConfigureAwait(false);
                failures = 0;
                if (timeProvider.GetUtcNow() - lastCleanup > CleanupInterval)
                {
                    await CleanupAsync(stoppingToken).ConfigureAwait(false);
                    lastCleanup = timeProvider.GetUtcNow();
                }

                if (sent > 0)
                {
                    continue; // more may be waiting, including the next event of the same aggregates
                }

                await signal.WaitAsync(PollInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 250 * Math.Pow(2, Math.Min(failures, 10))));
                LogDispatchFailed(e, failures, delay);
                await Task.Delay(delay, timeProvider, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Publishes one batch: the oldest unsent row of each aggregate that no other instance holds.
    /// Returns how many rows were confirmed and marked sent; throws when the broker could not take them.
    /// </summary>
    public async Task<int> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        // One unit of work under the execution strategy: an attempt that met a broken connection before its commit
        // claims the rows again (its locks went with its session) and publishes them again, under the same message ids.
        var (sent, claimed, brokerFault) = await db.InUnitOfWorkAsync(ct => DispatchOnceAsync(db, ct), cancellationToken).ConfigureAwait(false);
        if (claimed == 0)
        {
            return 0;
        }

        monitor.Published.Add(sent);
        if (brokerFault is not null)
        {
            throw new InvalidOperationException($"The broker did not confirm an outbox event ({sent} of {claimed} sent).", brokerFault);
        }

        return sent;
    }

    private async Task<(int Sent, int Claimed, Exception? BrokerFault)> DispatchOnceAsync(TDbContext db, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var batch = await ClaimAsync(db, cancellationToken).ConfigureAwait(false);
        if (batch.Count == 0)
        {
            return (0, 0, null);
        }

        // Not cut short by the service stopping: a graceful stop lets the batch in flight be confirmed and marked sent
        // (the bus stops after this dispatcher). Cancelling it would only leave the rows for a resend after the restart,
        // and MassTransit logs each cancelled send as a fault at Error (S-FAULT).
        using var timeout = new CancellationTokenSource(PublishTimeout, timeProvider);
        // The batch holds at most one row per aggregate, so its rows can be in flight together: the broker
        // confirms them as a group instead of one round trip each.
        var publishes = new List<(OutboxMessage Row, Task Publish)>(batch.Count);
        var packed = new List<(OutboxMessage Row, object Message)>();
        foreach (var row in batch)
        {
            (object Message, Type Type) @event;
            try
            {
                @event = row.Deserialize();
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or TypeLoadException or FileNotFoundException or InvalidOperationException)
            {
                // A row no code can read any more blocks only its own aggregate, and says why.
                row.Attempts++;
                row.LastError = $"Cannot read the event: {e.Message}";
                LogUnreadableRow(e, row.Id, row.MessageType);
                continue;
            }

            if (_batchForm?.Carries(@event.Type) == true)
            {
                packed.Add((row, @event.Message));
            }
            else
            {
                publishes.Add((row, PublishAsync(row, @event.Message, @event.Type, timeout.Token)));
            }
        }

        if (packed.Count == 1)
        {
            publishes.Add((packed[0].Row, PublishAsync(packed[0].Row, packed[0].Message, packed[0].Message.GetType(), timeout.Token)));
        }
        else if (packed.Count > 1)
        {
            var publish = PublishPackedAsync(packed, _batchForm!, timeout.Token);
            publishes.AddRange(packed.Select(p => (p.Row, publish)));
        }

        var sent = new List<Guid>(publishes.Count);
        Exception? brokerFault = null;
        foreach (var (row, publish) in publishes)
        {
            try
            {
                await publish.ConfigureAwait(false);
                sent.Add(row.Id);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Keep what the broker confirmed; the rest waits for the next attempt.
                row.Attempts++;
                row.LastError = e.Message;
                brokerFault ??= e;
            }
        }

        // One statement for what was sent, rather than an update per row: a partner's push sends hundreds per batch.
        if (sent.Count > 0)
        {
            var sentAt = timeProvider.GetUtcNow();
            var sentIds = sent.ToArray();
            await db.Database.ExecuteSqlAsync(
                $"UPDATE outbox_messages SET sent_at = {sentAt}, attempts = attempts + 1 WHERE id = ANY({sentIds})", CancellationToken.None).ConfigureAwait(false);
        }

        await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        return (sent.Count, batch.Count, brokerFault);
    }

    /// <summary>
    /// Claims the oldest unsent rows no other instance holds and keeps the first of each aggregate, unless an earlier
    /// row of that aggregate is still unsent (another instance holds it): at most one row per aggregate, its oldest.
    /// </summary>
    /// <remarks>
    /// Two plain statements rather than one with a correlated <c>NOT EXISTS</c>: after a burst, the statistics still
    /// say almost every row was sent, and the planner then checked each claimed row against every unsent row (a
    /// backlog of 20,000 took 5.5 s per claim). Both statements here read at most the claim and what other instances
    /// hold, whatever the planner believes: every unsent row older than the last one claimed is either claimed here
    /// or held by another instance (SKIP LOCKED). The later rows of an aggregate claimed here wait for the next claim.
    /// </remarks>
    private static async Task<List<OutboxMessage>> ClaimAsync(TDbContext db, CancellationToken cancellationToken)
    {
        var claimed = await db.Set<OutboxMessage>()
            .FromSql($"SELECT * FROM outbox_messages WHERE sent_at IS NULL ORDER BY sequence LIMIT {BatchSize} FOR UPDATE SKIP LOCKED")
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        if (claimed.Count == 0)
        {
            return claimed;
        }

        var heads = claimed.GroupBy(row => row.AggregateId).Select(rows => rows.MinBy(row => row.Sequence)!).ToList();
        var aggregates = heads.Select(row => row.AggregateId).ToArray();
        var headSequences = heads.Select(row => row.Sequence).ToArray();
        var last = claimed.Max(row => row.Sequence);
        var heldElsewhere = (await db.Database.SqlQuery<string>($"""
                SELECT DISTINCT o.aggregate_id AS "Value"
                FROM unnest({aggregates}::text[], {headSequences}::bigint[]) AS head(aggregate_id, sequence)
                JOIN outbox_messages o ON o.aggregate_id = head.aggregate_id AND o.sequence < head.sequence
                WHERE o.sent_at IS NULL AND o.sequence < {last}
                """)
            .ToListAsync(cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        return [.. heads.Where(row => !heldElsewhere.Contains(row.AggregateId)).OrderBy(row => row.Sequence)];
    }

    private async Task PublishAsync(OutboxMessage row, object message, Type type, CancellationToken cancellationToken)
    {
        ActivityContext.TryParse(row.TraceParent, row.TraceState, out var parent);
        // Without a listener on our source StartActivity returns null; a bare activity still carries
        // the request's trace context to MassTransit's send span, so the consumer joins the trace.
        using var activity = ActivitySource.StartActivity("outbox publish", ActivityKind.Internal, parent)
            ?? (row.TraceParent is null ? null : new Activity("outbox publish").SetParentId(row.TraceParent).Start());
        activity?.SetTag("messaging.message.id", row.Id.ToString());
        activity?.SetTag("interimplatform.outbox.aggregate_id", row.AggregateId);
        // Publisher confirms are on: the task completes once the broker has the message.
        await bus.Publish(message, type, context => context.MessageId = row.Id, cancellationToken).ConfigureAwait(false);
    }

    private async Task PublishPackedAsync(List<(OutboxMessage Row, object Message)> packed, IOutboxBatchForm form, CancellationToken cancellationToken)
    {
        var first = packed[0].Row;
        ActivityContext.TryParse(first.TraceParent, first.TraceState, out var parent);
        // The batch continues the first event's trace and links the others' (a partner batch's events share one).
        var links = packed.Skip(1)
            .Select(p => ActivityContext.TryParse(p.Row.TraceParent, p.Row.TraceState, out var linked) ? linked : default)
            .Where(linked => linked != default && linked.TraceId != parent.TraceId)
            .DistinctBy(linked => linked.TraceId)
            .Select(linked => new ActivityLink(linked));
        using var activity = ActivitySource.StartActivity("outbox publish", ActivityKind.Internal, parent, links: links)
            ?? (first.TraceParent is null ? null : new Activity("outbox publish").SetParentId(first.TraceParent).Start());
        activity?.SetTag("interimplatform.outbox.batch.message_count", packed.Count);
        var message = form.Pack([.. packed.Select(p => (p.Row.Id, p.Message))]);
        await bus.Publish(message, message.GetType(), cancellationToken).ConfigureAwait(false);
    }

    private async Task CleanupAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var now = timeProvider.GetUtcNow();
        await db.Database.ExecuteSqlAsync($"DELETE FROM outbox_messages WHERE sent_at < {now - SentRetention}", cancellationToken).ConfigureAwait(false);
        await db.Database.ExecuteSqlAsync($"DELETE FROM inbox_messages WHERE received_at < {now - InboxRetention}", cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox dispatch failed ({Failures} in a row); retrying in {Delay}")]
    private partial void LogDispatchFailed(Exception exception, int failures, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox row {RowId} holds a {MessageType} that cannot be read; its aggregate's later events wait behind it")]
    private partial void LogUnreadableRow(Exception exception, Guid rowId, string messageType);
}
