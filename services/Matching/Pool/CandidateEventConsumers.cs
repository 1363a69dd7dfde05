using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Matching.Data;
using InterimPlatform.Messaging.Inbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Matching.Pool;

/// <summary>Keeps Matching's pool in step with Candidates; each message is applied once (inbox), each facet only forwards in time.</summary>
public abstract class PoolConsumer<TMessage>(MatchingDbContext db, TimeProvider timeProvider)
    : IdempotentConsumer<TMessage, MatchingDbContext>(db, timeProvider)
    where TMessage : class
{
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
}

public sealed class CandidateRegisteredConsumer(MatchingDbContext db, TimeProvider timeProvider) : PoolConsumer<CandidateRegistered>(db, timeProvider)
{
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

public sealed class CandidateProfileChangedConsumer(MatchingDbContext db, TimeProvider timeProvider) : PoolConsumer<CandidateProfileChanged>(db, timeProvider)
{
    protected override async Task HandleAsync(CandidateProfileChanged message, ConsumeContext<CandidateProfileChanged> context, CancellationToken cancellationToken) =>
        (await FindOrAddAsync(message.CandidateId, cancellationToken)).ApplyProfile(message.Profile, message.ChangedAt);
}

public sealed class CandidateAvailabilityChangedConsumer(MatchingDbContext db, TimeProvider timeProvider) : PoolConsumer<CandidateAvailabilityChanged>(db, timeProvider)
{
    protected override async Task HandleAsync(CandidateAvailabilityChanged message, ConsumeContext<CandidateAvailabilityChanged> context, CancellationToken cancellationToken) =>
        (await FindOrAddAsync(message.CandidateId, cancellationToken)).ApplyAvailability(message.Availability, message.ChangedAt);
}

public sealed class CandidateVettingChangedConsumer(MatchingDbContext db, TimeProvider timeProvider) : PoolConsumer<CandidateVettingChanged>(db, timeProvider)
{
    protected override async Task HandleAsync(CandidateVettingChanged message, ConsumeContext<CandidateVettingChanged> context, CancellationToken cancellationToken) =>
        (await FindOrAddAsync(message.CandidateId, cancellationToken)).ApplyVetting(message.Vetting, message.ChangedAt);
}

/// <summary>Purges the person's data and leaves a tombstone, so a late event cannot bring it back.</summary>
public sealed class CandidateErasedConsumer(MatchingDbContext db, TimeProvider timeProvider) : PoolConsumer<CandidateErased>(db, timeProvider)
{
    protected override async Task HandleAsync(CandidateErased message, ConsumeContext<CandidateErased> context, CancellationToken cancellationToken) =>
        (await FindOrAddAsync(message.CandidateId, cancellationToken)).Erase();
}
