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
        // One unit of work under the execution strategy: an attempt that met a broken connection before its commit
        // runs again whole (as a redelivery would).
        await Db.InUnitOfWorkAsync(
            async ct =>
            {
                await using var transaction = await Db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
                var now = TimeProvider.GetUtcNow();
                var inserted = await Db.Database.ExecuteSqlAsync(
                    $"INSERT INTO inbox_messages (message_id, consumer, received_at) VALUES ({messageId}, {consumer}, {now}) ON CONFLICT DO NOTHING",
                    ct).ConfigureAwait(false);
                if (inserted == 0)
                {
                    // Applied before: change nothing.
                    await transaction.RollbackAsync(ct).ConfigureAwait(false);
                    return false;
                }

                await HandleAsync(context.Message, context, ct).ConfigureAwait(false);
                await Db.SaveChangesAsync(ct).ConfigureAwait(false);
                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);

        // Also for a message applied before: let in-memory state catch up in case the earlier attempt committed and
        // then failed before its own AfterCommitAsync finished.
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
