using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace InterimPlatform.Messaging.Outbox;

/// <summary>
/// Publishes committed outbox rows to RabbitMQ in insertion order and marks them sent only once the
/// broker confirmed them. Rows are claimed with <c>FOR UPDATE SKIP LOCKED</c>, so several instances of
/// a service can dispatch the same outbox without sending a row twice at the same time. Anything left
/// unsent (a crash between commit and publish, a broker outage) is picked up by the next sweep.
/// </summary>
public sealed class OutboxDispatcher<TDbContext>(
    IServiceScopeFactory scopes,
    IBus bus,
    OutboxSignal signal,
    TimeProvider timeProvider,
    ILogger<OutboxDispatcher<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    private const int BatchSize = 100;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan SentRetention = TimeSpan.FromDays(7);
    private static readonly TimeSpan InboxRetention = TimeSpan.FromDays(30);
    private static readonly TimeSpan CleanupInterval = TimeSpan.FromHours(1);

    internal static readonly ActivitySource ActivitySource = new("InterimPlatform.Messaging");

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

                if (sent == BatchSize)
                {
                    continue; // more is waiting
                }

                await signal.WaitAsync(PollInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Broker or database unavailable: back off, never block the requests that write rows.
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 250 * Math.Pow(2, Math.Min(failures, 10))));
                logger.LogWarning(e, "Outbox dispatch failed ({Failures} in a row); retrying in {Delay}", failures, delay);
                await Task.Delay(delay, timeProvider, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Publishes one batch of unsent rows; returns how many were sent.</summary>
    public async Task<int> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var batch = await db.Set<OutboxMessage>()
            .FromSql($"SELECT * FROM outbox_messages WHERE sent_at IS NULL ORDER BY sequence LIMIT {BatchSize} FOR UPDATE SKIP LOCKED")
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        if (batch.Count == 0)
        {
            return 0;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PublishTimeout);
        foreach (var row in batch)
        {
            ActivityContext.TryParse(row.TraceParent, row.TraceState, out var parent);
            using var activity = ActivitySource.StartActivity("outbox dispatch", ActivityKind.Internal, parent);
            activity?.SetTag("messaging.message.id", row.Id.ToString());
            activity?.SetTag("interimplatform.outbox.aggregate_id", row.AggregateId);
            var (message, type) = row.Deserialize();
            // Publisher confirms are on: the task completes once the broker has the message.
            await bus.Publish(message, type, context => context.MessageId = row.Id, timeout.Token).ConfigureAwait(false);
            row.SentAt = timeProvider.GetUtcNow();
            row.Attempts++;
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return batch.Count;
    }

    private async Task CleanupAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var now = timeProvider.GetUtcNow();
        await db.Database.ExecuteSqlAsync($"DELETE FROM outbox_messages WHERE sent_at < {now - SentRetention}", cancellationToken).ConfigureAwait(false);
        await db.Database.ExecuteSqlAsync($"DELETE FROM inbox_messages WHERE received_at < {now - InboxRetention}", cancellationToken).ConfigureAwait(false);
    }
}
