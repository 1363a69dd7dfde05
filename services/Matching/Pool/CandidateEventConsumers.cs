using System.Text.Json;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Matching.Data;
using InterimPlatform.Matching.Ranking;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Inbox;
using InterimPlatform.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Matching.Pool;

/// <summary>
/// Keeps Matching's pool in step with Candidates: each message is applied once (inbox), each facet only forwards
/// in time, and the ranking index follows the committed row. Events are applied in batches
/// (<see cref="PoolEventBatches"/>) but acknowledged, retried and failed one by one.
/// </summary>
public abstract class PoolEventConsumer<TMessage>(PoolEventBatches batches) : IConsumer<TMessage>
    where TMessage : class
{
    public Task Consume(ConsumeContext<TMessage> context) => batches.ApplyAsync(
        [ChangeOf(context.MessageId ?? throw new InvalidOperationException($"A {typeof(TMessage).Name} arrived without a message id."), context.Message)],
        context.CancellationToken);

    /// <summary>The event's change to its candidate, under this consumer's inbox key (the batch consumer uses it too).</summary>
    protected abstract PoolChange ChangeOf(Guid messageId, TMessage message);
}

public sealed class CandidateRegisteredConsumer(PoolEventBatches batches) : PoolEventConsumer<CandidateRegistered>(batches)
{
    internal static PoolChange Change(Guid messageId, CandidateRegistered message) =>
        new(messageId, nameof(CandidateRegisteredConsumer), message.CandidateId, candidate =>
        {
            if (!candidate.Erased)
            {
                candidate.RegisteredAt = message.RegisteredAt;
            }

            candidate.ApplyProfile(message.Profile, message.RegisteredAt);
            candidate.ApplyAvailability(message.Availability, message.RegisteredAt);
            candidate.ApplyVetting(message.Vetting, message.RegisteredAt);
        });

    protected override PoolChange ChangeOf(Guid messageId, CandidateRegistered message) => Change(messageId, message);
}

public sealed class CandidateProfileChangedConsumer(PoolEventBatches batches) : PoolEventConsumer<CandidateProfileChanged>(batches)
{
    internal static PoolChange Change(Guid messageId, CandidateProfileChanged message) =>
        new(messageId, nameof(CandidateProfileChangedConsumer), message.CandidateId, c => c.ApplyProfile(message.Profile, message.ChangedAt));

    protected override PoolChange ChangeOf(Guid messageId, CandidateProfileChanged message) => Change(messageId, message);
}

public sealed class CandidateAvailabilityChangedConsumer(PoolEventBatches batches) : PoolEventConsumer<CandidateAvailabilityChanged>(batches)
{
    internal static PoolChange Change(Guid messageId, CandidateAvailabilityChanged message) =>
        new(messageId, nameof(CandidateAvailabilityChangedConsumer), message.CandidateId, c => c.ApplyAvailability(message.Availability, message.ChangedAt));

    protected override PoolChange ChangeOf(Guid messageId, CandidateAvailabilityChanged message) => Change(messageId, message);
}

public sealed class CandidateVettingChangedConsumer(PoolEventBatches batches) : PoolEventConsumer<CandidateVettingChanged>(batches)
{
    internal static PoolChange Change(Guid messageId, CandidateVettingChanged message) =>
        new(messageId, nameof(CandidateVettingChangedConsumer), message.CandidateId, c => c.ApplyVetting(message.Vetting, message.ChangedAt));

    protected override PoolChange ChangeOf(Guid messageId, CandidateVettingChanged message) => Change(messageId, message);
}

/// <summary>
/// Candidates' events sent together (<see cref="CandidateEventBatch"/>, during a partner's push). Each entry is
/// applied as its single event would be, under the same inbox key (its message id and the single event's consumer),
/// so an event counts once whichever way it came; the entries are applied independently, so a bad one fails the
/// message (which is retried, then parked in the error queue) while the others stay applied.
/// </summary>
public sealed class CandidateEventBatchConsumer(PoolEventBatches batches) : IConsumer<CandidateEventBatch>
{
    public async Task Consume(ConsumeContext<CandidateEventBatch> context)
    {
        var entries = context.Message.Events ?? [];
        var changes = entries.Select(ChangeOf).ToList();
        await batches.ApplyAsync([.. changes.OfType<PoolChange>()], context.CancellationToken);
        if (changes.Contains(null))
        {
            // Not retried: the well-formed entries are applied; the message is parked with the reason.
            var malformed = entries.Where((_, i) => changes[i] is null).Select(e => e.MessageId);
            throw new MessageValidationException($"Every entry of a {nameof(CandidateEventBatch)} must hold exactly one event; these do not: {string.Join(", ", malformed)}.");
        }
    }

    private static PoolChange? ChangeOf(CandidateEventBatchEntry entry) => entry switch
    {
        { Registered: { } e, ProfileChanged: null, AvailabilityChanged: null, VettingChanged: null } => CandidateRegisteredConsumer.Change(entry.MessageId, e),
        { Registered: null, ProfileChanged: { } e, AvailabilityChanged: null, VettingChanged: null } => CandidateProfileChangedConsumer.Change(entry.MessageId, e),
        { Registered: null, ProfileChanged: null, AvailabilityChanged: { } e, VettingChanged: null } => CandidateAvailabilityChangedConsumer.Change(entry.MessageId, e),
        { Registered: null, ProfileChanged: null, AvailabilityChanged: null, VettingChanged: { } e } => CandidateVettingChangedConsumer.Change(entry.MessageId, e),
        _ => null,
    };
}

/// <summary>
/// Purges the person's data and leaves a tombstone, so a late event cannot bring it back; takes them out
/// of the index and strips their name and the evidence about them from every stored shortlist (the scores
/// stay, so a shortlist can still be accounted for).
/// </summary>
public sealed class CandidateErasedConsumer(MatchingDbContext db, TimeProvider timeProvider, IndexRefresh index)
    : IdempotentConsumer<CandidateErased, MatchingDbContext>(db, timeProvider)
{
    protected override Task AfterCommitAsync(CandidateErased message, CancellationToken cancellationToken) =>
        index.RefreshAsync(Db, message.CandidateId, cancellationToken);

    protected override async Task HandleAsync(CandidateErased message, ConsumeContext<CandidateErased> context, CancellationToken cancellationToken)
    {
        // Waits for rankings that hold this row FOR SHARE (Shortlisting.DropErasedAsync) to commit, so the
        // shortlist updates below see their entries; rankings after this see the tombstone.
        await Db.Database.ExecuteSqlAsync($"SELECT 1 FROM pool_candidates WHERE candidate_id = {message.CandidateId} FOR UPDATE", cancellationToken);
        var candidate = await Db.PoolCandidates.FirstOrDefaultAsync(c => c.CandidateId == message.CandidateId, cancellationToken);
        if (candidate is null)
        {
            candidate = new PoolCandidate { CandidateId = message.CandidateId };
            Db.PoolCandidates.Add(candidate);
        }

        candidate.UpdatedAt = TimeProvider.GetUtcNow();
        var name = candidate.Profile?.FullName;
        candidate.Erase();
        await Db.Database.ExecuteSqlAsync(
            $$"""
            UPDATE shortlist_entries
            SET full_name = NULL, erased = TRUE,
                criteria = (SELECT coalesce(jsonb_agg(c || '{"evidence": ""}'::jsonb), '[]'::jsonb) FROM jsonb_array_elements(criteria) c)
            WHERE candidate_id = {{message.CandidateId}}
            """,
            cancellationToken);
        await Db.Database.ExecuteSqlAsync(
            $"UPDATE shortlist_overrides SET reason = '[erased]' WHERE candidate_id = {message.CandidateId}",
            cancellationToken);
        await Db.Placements.Where(p => p.CandidateId == message.CandidateId).ExecuteDeleteAsync(cancellationToken);
        if (name is not null)
        {
            // Shortlist events, sent or still waiting, name the person: the name goes, the ranking stays.
            var mention = message.CandidateId.ToString();
            var named = JsonSerializer.Serialize(name, JsonSerializerOptions.Web);
            await Db.Set<OutboxMessage>()
                .Where(m => m.Payload.Contains(mention) && m.Payload.Contains(named))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Payload, m => m.Payload.Replace(named, "null")), cancellationToken);
        }
    }
}
