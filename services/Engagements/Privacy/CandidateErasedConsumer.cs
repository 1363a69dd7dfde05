using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Engagements.Data;
using InterimPlatform.Engagements.Desk;
using InterimPlatform.Messaging.Inbox;
using InterimPlatform.Messaging.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Engagements.Privacy;

/// <summary>
/// An erased candidate: engagements keep their history (ids, dates, scores, decisions) but no personal data
/// of that person — names go, and free-text reasons about them are replaced by "[erased]".
/// </summary>
public sealed class CandidateErasedConsumer(EngagementsDbContext db, TimeProvider timeProvider)
    : IdempotentConsumer<CandidateErased, EngagementsDbContext>(db, timeProvider)
{
    private const string Erased = "[erased]";

    /// <summary>A review recorded while the placement was the engagement's current one is about its interim.</summary>
    private static bool RecordedDuring(ProgressReview review, PlacementRecord placement) =>
        review.RecordedAt >= placement.PlacedAt && (placement.EndedAt is not { } ended || review.RecordedAt <= ended);

    protected override async Task HandleAsync(CandidateErased message, ConsumeContext<CandidateErased> context, CancellationToken cancellationToken)
    {
        var id = message.CandidateId;
        // Remembered so that a shortlist still on its way cannot bring the name back.
        await Db.Database.ExecuteSqlAsync($"INSERT INTO erased_candidates (candidate_id, erased_at) VALUES ({id}, {message.ErasedAt}) ON CONFLICT DO NOTHING", cancellationToken);
        // Placement events about the person are keyed by their id and may carry free text about them:
        // sent ones are history the broker already has, unsent ones are of no use to services that erased them.
        await Db.Set<OutboxMessage>().Where(m => m.AggregateId == id.ToString()).ExecuteDeleteAsync(cancellationToken);
        var engagements = await Db.Engagements.Where(e => e.CandidateIds.Contains(id)).ToListAsync(cancellationToken);
        foreach (var e in engagements)
        {
            if (e.Shortlist is { } shortlist)
            {
                e.Shortlist = shortlist with
                {
                    Candidates = [.. shortlist.Candidates.Select(c => c.CandidateId != id ? c : c with
                    {
                        FullName = null,
                        Criteria = [.. c.Criteria.Select(k => k with { Evidence = "" })],
                        ChangeReason = c.ChangeReason is null ? null : Erased,
                    })],
                };
            }

            e.Proposals = [.. e.Proposals.Select(p => p.CandidateId != id ? p : p with { FullName = null, Reason = p.Reason is null ? null : Erased })];
            // Why a placement of theirs ended, and reviews held while they were the interim, are about them.
            var theirs = e.Placements.Where(p => p.CandidateId == id).ToList();
            foreach (var reason in theirs.Select(p => p.EndReason).OfType<string>().Select(r => r.Split(':', 2)).Where(r => r.Length == 2 && r[1].Trim().Length > 0))
            {
                e.History = [.. e.History.Select(t => t.Reason?.Contains(reason[1].Trim(), StringComparison.Ordinal) == true ? t with { Reason = t.Reason.Replace(reason[1].Trim(), Erased, StringComparison.Ordinal) } : t)];
            }

            e.Reviews = [.. e.Reviews.Select(r => r.Notes is not null && theirs.Any(p => RecordedDuring(r, p)) ? r with { Notes = Erased } : r)];
            e.Placements = [.. e.Placements.Select(p => p.CandidateId != id ? p : p with { FullName = null, EndReason = p.EndReason?.Split(':', 2)[0] })];
            if (e.ShadowManager?.CandidateId == id)
            {
                e.ShadowManager = e.ShadowManager with { Name = Erased };
            }
        }
    }
}

/// <summary>A candidate who was erased: only the id (no longer linked to anyone) and when.</summary>
public sealed class ErasedCandidate
{
    public Guid CandidateId { get; init; }

    public DateTimeOffset ErasedAt { get; init; }
}
