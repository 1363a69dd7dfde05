using System.Text.Json;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Matching.Data;
using InterimPlatform.Matching.Ranking;
using InterimPlatform.Messaging.Inbox;
using InterimPlatform.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Matching.Pool;

/// <summary>
/// Keeps Matching's pool in step with Candidates; each message is applied once (inbox), each facet only
/// forwards in time, and the ranking index follows the committed row.
/// </summary>
public abstract class PoolConsumer<TMessage>(MatchingDbContext db, TimeProvider timeProvider, IndexRefresh index)
    : IdempotentConsumer<TMessage, MatchingDbContext>(db, timeProvider)
    where TMessage : class
{
    protected abstract Guid CandidateId(TMessage message);

    protected async Task<PoolCandidate> FindOrAddAsync(Guid candidateId, CancellationToken cancellationToken)
    {
        var candidate = await Db.PoolCandidates.FirstOrDefaultAsync(c => c.CandidateId == candidateId, cancellationToken);
        if (candidate is null)
        {
            candidate = new PoolCandidate { CandidateId = candidateId };
            Db.PoolCandidates.Add(candidate);
        }

        candidate.UpdatedAt = TimeProvider.GetUtcNow();
        return candidate;
    }

    protected override Task AfterCommitAsync(TMessage message, CancellationToken cancellationToken) =>
        index.RefreshAsync(Db, CandidateId(message), cancellationToken);
}

public sealed class CandidateRegisteredConsumer(MatchingDbContext db, TimeProvider timeProvider, IndexRefresh index) : PoolConsumer<CandidateRegistered>(db, timeProvider, index)
{
    protected override Guid CandidateId(CandidateRegistered message) => message.CandidateId;

    protected override async Task HandleAsync(CandidateRegistered message, ConsumeContext<CandidateRegistered> context, CancellationToken cancellationToken)
    {
        var candidate = await FindOrAddAsync(message.CandidateId, cancellationToken);
        if (!candidate.Erased)
        {
            candidate.RegisteredAt = message.RegisteredAt;
        }

        candidate.ApplyProfile(message.Profile, message.RegisteredAt);
        candidate.ApplyAvailability(message.Availability, message.RegisteredAt);
        candidate.ApplyVetting(message.Vetting, message.RegisteredAt);
    }
}

public sealed class CandidateProfileChangedConsumer(MatchingDbContext db, TimeProvider timeProvider, IndexRefresh index) : PoolConsumer<CandidateProfileChanged>(db, timeProvider, index)
{
    protected override Guid CandidateId(CandidateProfileChanged message) => message.CandidateId;

    protected override async Task HandleAsync(CandidateProfileChanged message, ConsumeContext<CandidateProfileChanged> context, CancellationToken cancellationToken) =>
        (await FindOrAddAsync(message.CandidateId, cancellationToken)).ApplyProfile(message.Profile, message.ChangedAt);
}

public sealed class CandidateAvailabilityChangedConsumer(MatchingDbContext db, TimeProvider timeProvider, IndexRefresh index) : PoolConsumer<CandidateAvailabilityChanged>(db, timeProvider, index)
{
    protected override Guid CandidateId(CandidateAvailabilityChanged message) => message.CandidateId;

    protected override async Task HandleAsync(CandidateAvailabilityChanged message, ConsumeContext<CandidateAvailabilityChanged> context, CancellationToken cancellationToken) =>
        (await FindOrAddAsync(message.CandidateId, cancellationToken)).ApplyAvailability(message.Availability, message.ChangedAt);
}

public sealed class CandidateVettingChangedConsumer(MatchingDbContext db, TimeProvider timeProvider, IndexRefresh index) : PoolConsumer<CandidateVettingChanged>(db, timeProvider, index)
{
    protected override Guid CandidateId(CandidateVettingChanged message) => message.CandidateId;

    protected override async Task HandleAsync(CandidateVettingChanged message, ConsumeContext<CandidateVettingChanged> context, CancellationToken cancellationToken) =>
        (await FindOrAddAsync(message.CandidateId, cancellationToken)).ApplyVetting(message.Vetting, message.ChangedAt);
}

/// <summary>
/// Purges the person's data and leaves a tombstone, so a late event cannot bring it back; takes them out
/// of the index and strips their name and the evidence about them from every stored shortlist (the scores
/// stay, so a shortlist can still be accounted for).
/// </summary>
public sealed class CandidateErasedConsumer(MatchingDbContext db, TimeProvider timeProvider, IndexRefresh index) : PoolConsumer<CandidateErased>(db, timeProvider, index)
{
    protected override Guid CandidateId(CandidateErased message) => message.CandidateId;

    protected override async Task HandleAsync(CandidateErased message, ConsumeContext<CandidateErased> context, CancellationToken cancellationToken)
    {
        // Waits for rankings that hold this row FOR SHARE (Shortlisting.DropErasedAsync) to commit, so the
        // shortlist updates below see their entries; rankings after this see the tombstone.
        await Db.Database.ExecuteSqlAsync($"SELECT 1 FROM pool_candidates WHERE candidate_id = {message.CandidateId} FOR UPDATE", cancellationToken);
        var candidate = await FindOrAddAsync(message.CandidateId, cancellationToken);
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
