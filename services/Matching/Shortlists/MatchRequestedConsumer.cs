using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Matching.Data;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Inbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Matching.Shortlists;

/// <summary>
/// Answers Engagements' match requests: ranks, stores the shortlist and publishes it, in one transaction
/// (outbox). A request id seen before is answered with the stored shortlist instead of a new ranking.
/// </summary>
public sealed class MatchRequestedConsumer(MatchingDbContext db, TimeProvider timeProvider, Shortlisting shortlisting)
    : IdempotentConsumer<MatchRequested, MatchingDbContext>(db, timeProvider)
{
    protected override async Task HandleAsync(MatchRequested message, ConsumeContext<MatchRequested> context, CancellationToken cancellationToken)
    {
        var errors = MatchBriefRules.Validate(message.Brief, message.Top, message.ExcludedCandidateIds);
        if (message.RequestId == Guid.Empty || message.EngagementId == Guid.Empty)
        {
            errors["requestId/engagementId"] = ["Both are required."];
        }

        if (errors.Count > 0)
        {
            throw new MessageValidationException("Invalid match request: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
        }

        var shortlist = await Db.Shortlists.AsNoTracking().Include(s => s.Entries).FirstOrDefaultAsync(s => s.RequestId == message.RequestId, cancellationToken);
        if (shortlist is null)
        {
            shortlist = shortlisting.Produce(
                MatchBriefRules.Normalise(message.Brief),
                message.Top,
                message.ExcludedCandidateIds ?? [],
                message.IncludeCandidatesInVetting,
                message.EngagementId,
                message.RequestId,
                string.IsNullOrWhiteSpace(message.RequestedBy) ? "engagements" : message.RequestedBy[..Math.Min(200, message.RequestedBy.Length)]);
            await Shortlisting.DropErasedAsync(Db, shortlist, cancellationToken);
            Db.Shortlists.Add(shortlist);
        }

        Db.Publish(Shortlisting.Event(shortlist), message.EngagementId, TimeProvider.GetUtcNowForStorage());
    }
}
