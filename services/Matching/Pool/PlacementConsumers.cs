using InterimPlatform.Contracts.Engagements.V1;
using InterimPlatform.Matching.Data;
using InterimPlatform.Matching.Ranking;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Inbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Matching.Pool;

/// <summary>Records placements, so a placed person is not shortlisted elsewhere for the same period.</summary>
public abstract class PlacementConsumer<TMessage>(MatchingDbContext db, TimeProvider timeProvider, IndexRefresh index)
    : IdempotentConsumer<TMessage, MatchingDbContext>(db, timeProvider)
    where TMessage : class
{
    protected abstract Guid CandidateId(TMessage message);

    protected async Task<PlacementRecord> FindOrAddAsync(Guid placementId, Guid engagementId, Guid candidateId, CancellationToken cancellationToken)
    {
        var placement = await Db.Placements.FirstOrDefaultAsync(p => p.PlacementId == placementId, cancellationToken);
        if (placement is null)
        {
            placement = new PlacementRecord { PlacementId = placementId };
            Db.Placements.Add(placement);
        }

        placement.EngagementId = engagementId;
        placement.CandidateId = candidateId;
        placement.UpdatedAt = TimeProvider.GetUtcNowForStorage();
        return placement;
    }

    protected override Task AfterCommitAsync(TMessage message, CancellationToken cancellationToken) =>
        index.RefreshAsync(Db, CandidateId(message), cancellationToken);
}

public sealed class CandidatePlacedConsumer(MatchingDbContext db, TimeProvider timeProvider, IndexRefresh index) : PlacementConsumer<CandidatePlaced>(db, timeProvider, index)
{
    protected override Guid CandidateId(CandidatePlaced message) => message.CandidateId;

    protected override async Task HandleAsync(CandidatePlaced message, ConsumeContext<CandidatePlaced> context, CancellationToken cancellationToken)
    {
        if (message.EndDate < message.StartDate)
        {
            throw new MessageValidationException($"Placement {message.PlacementId} ends ({message.EndDate}) before it starts ({message.StartDate}).");
        }

        if (await Db.PoolCandidates.AnyAsync(c => c.CandidateId == message.CandidateId && c.Erased, cancellationToken))
        {
            return; // nothing is kept about an erased person
        }

        var placement = await FindOrAddAsync(message.PlacementId, message.EngagementId, message.CandidateId, cancellationToken);
        placement.FirstDay = message.StartDate;
        placement.LastDay = message.EndDate;
    }
}

public sealed class PlacementEndedConsumer(MatchingDbContext db, TimeProvider timeProvider, IndexRefresh index) : PlacementConsumer<PlacementEnded>(db, timeProvider, index)
{
    protected override Guid CandidateId(PlacementEnded message) => message.CandidateId;

    protected override async Task HandleAsync(PlacementEnded message, ConsumeContext<PlacementEnded> context, CancellationToken cancellationToken) =>
        (await FindOrAddAsync(message.PlacementId, message.EngagementId, message.CandidateId, cancellationToken)).EndedOn = message.EndedOn;
}
