using InterimPlatform.Candidates.Data;
using InterimPlatform.Candidates.Profiles;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Contracts.Engagements.V1;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Inbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Candidates.Placements;

/// <summary>
/// Applies Engagements' placement events to the candidate: each message once (inbox), each part of a
/// placement once (by placement id, whatever the message id). An unknown or erased candidate has
/// nothing to update, and nothing about them is kept.
/// </summary>
public abstract class PlacementConsumer<TMessage>(CandidatesDbContext db, TimeProvider timeProvider)
    : IdempotentConsumer<TMessage, CandidatesDbContext>(db, timeProvider)
    where TMessage : class
{
    /// <summary>The candidate, locked until the commit; null when unknown or erased.</summary>
    protected async Task<Candidate?> LockCandidateAsync(Guid candidateId, CancellationToken cancellationToken)
    {
        // A person's placed, ended and completed events arrive on three queues at once: the lock applies
        // them one after another instead of letting them fail each other's concurrency check.
        await Db.Database.ExecuteSqlAsync($"SELECT 1 FROM candidates WHERE id = {candidateId} FOR UPDATE", cancellationToken);
        return await Db.Candidates.FirstOrDefaultAsync(c => c.Id == candidateId, cancellationToken);
    }

    protected async Task<CandidatePlacement> FindOrAddPlacementAsync(Guid placementId, Guid engagementId, Guid candidateId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var placement = await Db.Placements.FirstOrDefaultAsync(p => p.PlacementId == placementId && p.CandidateId == candidateId, cancellationToken);
        if (placement is null)
        {
            placement = new CandidatePlacement { PlacementId = placementId, EngagementId = engagementId, CandidateId = candidateId, CreatedAt = now, UpdatedAt = now };
            Db.Placements.Add(placement);
        }

        return placement;
    }

    /// <summary>Lines the candidate's availability up with the placement and, when it moved, tells Matching.</summary>
    protected void ReconcileAvailability(Candidate candidate, CandidatePlacement placement, DateTimeOffset now)
    {
        if (placement.ReconcileAvailability(candidate, DateOnly.FromDateTime(now.UtcDateTime)))
        {
            candidate.UpdatedAt = now;
            Db.Publish(new CandidateAvailabilityChanged(candidate.Id, CandidateContracts.Availability(candidate), now), candidate.Id, now);
        }
    }
}

/// <summary>The person is taken for the placement's period: not available to others before the day after it.</summary>
public sealed class CandidatePlacedConsumer(CandidatesDbContext db, TimeProvider timeProvider) : PlacementConsumer<CandidatePlaced>(db, timeProvider)
{
    protected override async Task HandleAsync(CandidatePlaced message, ConsumeContext<CandidatePlaced> context, CancellationToken cancellationToken)
    {
        if (message.EndDate < message.StartDate)
        {
            throw new MessageValidationException($"Placement {message.PlacementId} ends ({message.EndDate:yyyy-MM-dd}) before it starts ({message.StartDate:yyyy-MM-dd}).");
        }

        if (await LockCandidateAsync(message.CandidateId, cancellationToken) is not { } candidate)
        {
            return;
        }

        var now = TimeProvider.GetUtcNowForStorage();
        var placement = await FindOrAddPlacementAsync(message.PlacementId, message.EngagementId, message.CandidateId, now, cancellationToken);
        if (placement.FirstDay is not null)
        {
            return; // announced before, under another message id
        }

        placement.FirstDay = message.StartDate;
        placement.LastDay = message.EndDate;
        placement.UpdatedAt = now;
        ReconcileAvailability(candidate, placement, now);
    }
}

/// <summary>The placement ended (completed, replaced, cancelled): cut short, it gives the person's availability back.</summary>
public sealed class PlacementEndedConsumer(CandidatesDbContext db, TimeProvider timeProvider) : PlacementConsumer<PlacementEnded>(db, timeProvider)
{
    protected override async Task HandleAsync(PlacementEnded message, ConsumeContext<PlacementEnded> context, CancellationToken cancellationToken)
    {
        if (await LockCandidateAsync(message.CandidateId, cancellationToken) is not { } candidate)
        {
            return;
        }

        var now = TimeProvider.GetUtcNowForStorage();
        var placement = await FindOrAddPlacementAsync(message.PlacementId, message.EngagementId, message.CandidateId, now, cancellationToken);
        if (placement.EndedOn is not null)
        {
            return; // a placement ends once: the first end announced counts
        }

        placement.EndedOn = message.EndedOn;
        placement.UpdatedAt = now;
        ReconcileAvailability(candidate, placement, now);
    }
}

/// <summary>The completed assignment joins the person's track record, once per placement.</summary>
public sealed class AssignmentCompletedConsumer(CandidatesDbContext db, TimeProvider timeProvider) : PlacementConsumer<AssignmentCompleted>(db, timeProvider)
{
    protected override async Task HandleAsync(AssignmentCompleted message, ConsumeContext<AssignmentCompleted> context, CancellationToken cancellationToken)
    {
        var assignment = new AssignmentInput(message.Sector, message.Role, message.EngagementType, message.Level, message.Months, message.Outcome, message.ClientRating, message.EndedOn);
        var errors = CandidateInputRules.ValidateAssignment(assignment).Select(e => $"{e.Field}: {e.Message}").ToList();
        if (errors.Count > 0)
        {
            throw new MessageValidationException($"Invalid assignment completion for placement {message.PlacementId}: {string.Join("; ", errors)}");
        }

        if (await LockCandidateAsync(message.CandidateId, cancellationToken) is not { } candidate)
        {
            return;
        }

        var now = TimeProvider.GetUtcNowForStorage();
        var placement = await FindOrAddPlacementAsync(message.PlacementId, message.EngagementId, message.CandidateId, now, cancellationToken);
        if (placement.CompletedAt is not null)
        {
            return; // in the track record already
        }

        placement.CompletedAt = message.CompletedAt.ToUniversalTime();
        placement.UpdatedAt = now;
        candidate.TrackRecord.Add(CandidateInputRules.ToEntry(assignment));
        candidate.UpdatedAt = now;
        Db.Publish(new CandidateProfileChanged(candidate.Id, CandidateContracts.Profile(candidate), now), candidate.Id, now);
    }
}
