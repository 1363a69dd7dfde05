using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Messaging.Inbox;

/// <summary>
/// A consumer that applies each message once: it records <c>(message id, consumer)</c> in the inbox in
/// the same transaction as its own writes, so a redelivered or duplicated message is acknowledged
/// without applying its effects twice.
/// </summary>
public abstract class IdempotentConsumer<TMessage, TDbContext>(TDbContext db, TimeProvider timeProvider) : IConsumer<TMessage>
    where TMessage : class
    where TDbContext : DbContext
{
    protected TDbContext Db { get; } = db;

    protected TimeProvider TimeProvider { get; } = timeProvider;

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        var messageId = context.MessageId ?? throw new InvalidOperationException($"A {typeof(TMessage).Name} arrived without a message id.");
        var consumer = GetType().Name;
        var cancellationToken = context.CancellationToken;
        await using var transaction = await Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var now = TimeProvider.GetUtcNow();
        var inserted = await Db.Database.ExecuteSqlAsync(
            $"INSERT INTO inbox_messages (message_id, consumer, received_at) VALUES ({messageId}, {consumer}, {now}) ON CONFLICT DO NOTHING",
            cancellationToken).ConfigureAwait(false);
        if (inserted == 0)
        {
            // Applied before: change nothing, but let in-memory state catch up in case the earlier
            // attempt committed and then failed before its own AfterCommitAsync finished.
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            await AfterCommitAsync(context.Message, cancellationToken).ConfigureAwait(false);
            return;
        }

        await HandleAsync(context.Message, context, cancellationToken).ConfigureAwait(false);
        await Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        await AfterCommitAsync(context.Message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs once the message's effects are committed (and again for a redelivery of an applied message):
    /// the place to update in-memory state from what the database now holds. Must be idempotent.
    /// </summary>
    protected virtual Task AfterCommitAsync(TMessage message, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Applies the message to <see cref="Db"/>; saving and committing is done for you.</summary>
    protected abstract Task HandleAsync(TMessage message, ConsumeContext<TMessage> context, CancellationToken cancellationToken);
}
