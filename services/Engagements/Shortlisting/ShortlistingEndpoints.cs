using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Engagements.Desk;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Inbox;
using InterimPlatform.Engagements.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Engagements.Shortlisting;

/// <summary>Ask Matching for a shortlist (again, after the brief changed).</summary>
/// <param name="Top">How many candidates Matching should rank (1–200).</param>
/// <param name="IncludeCandidatesInVetting">Also rank candidates still in vetting, flagged.</param>
public sealed record ShortlistingRequest(string? Reason, int Top = 20, bool IncludeCandidatesInVetting = false);

/// <summary>A recruiter adds a candidate to the shortlist by hand, or removes one, with the reason.</summary>
/// <param name="Action">add or remove.</param>
public sealed record ShortlistChange(Guid CandidateId, string? Action, string? Reason);

public static class ShortlistingEndpoints
{
    public static IEndpointRouteBuilder MapShortlistingEndpoints(this IEndpointRouteBuilder app)
    {
        var engagements = app.MapGroup("/api/engagements").WithTags("Shortlisting");

        engagements.MapPost("/{id:guid}/shortlisting", RequestAsync).WithName("StartShortlisting")
            .WithSummary("Ask Matching for a shortlist")
            .WithDescription("Needs a clear brief. Publishes a match request with the brief and the excluded candidates; Matching's shortlist arrives as an event and moves the engagement to shortlist-ready. Allowed from intake, shortlisting, shortlist-ready and proposed (re-running after a brief change).")
            .Produces<EngagementView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        engagements.MapGet("/{id:guid}/shortlist", async (Guid id, EngagementsDbContext db, CancellationToken ct) =>
                await db.Engagements.AsNoTracking().Where(e => e.Id == id).Select(e => new { e.Shortlist }).FirstOrDefaultAsync(ct) is { } found
                    ? found.Shortlist is { } shortlist ? Results.Ok(shortlist) : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No shortlist yet", detail: "Matching has not answered a match request for this engagement yet.")
                    : Results.NotFound())
            .WithName("GetEngagementShortlist")
            .WithSummary("The shortlist with each candidate's score and its explanation, and the recruiters' changes")
            .Produces<EngagementShortlist>().ProducesProblem(StatusCodes.Status404NotFound);

        engagements.MapPost("/{id:guid}/shortlist/changes", ChangeAsync).WithName("ChangeShortlist")
            .WithSummary("Add a candidate to the shortlist by hand, or remove one, with the reason")
            .Produces<EngagementView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        return app;
    }

    internal static async Task<IResult> RequestAsync(Guid id, ShortlistingRequest request, HttpContext http, EngagementDesk desk, CancellationToken cancellationToken)
    {
        if (request.Top is < 1 or > MatchBriefRules.MaxTop)
        {
            return EngagementDesk.Invalid("top", $"Between 1 and {MatchBriefRules.MaxTop}.");
        }

        var (engagement, refusal) = await desk.LoadAsync(id, http, cancellationToken);
        if (engagement is null)
        {
            return refusal!;
        }

        if (EngagementDesk.RefuseTransition(engagement, EngagementState.Shortlisting) is { } illegal)
        {
            return illegal;
        }

        if (engagement.State is not (EngagementState.Intake or EngagementState.Shortlisting or EngagementState.ShortlistReady or EngagementState.Proposed))
        {
            // From placed or active, shortlisting restarts only through a replacement, which ends the placement first.
            return EngagementDesk.Problem(StatusCodes.Status409Conflict, "Placement in force", $"An engagement in state '{engagement.State}' has an interim in place: open a replacement (POST …/replacement) to shortlist again.");
        }

        if (!EngagementView.ConditionsOf(engagement).ClearBrief)
        {
            return EngagementDesk.Problem(StatusCodes.Status409Conflict, "No clear brief", "Shortlisting needs a complete brief (engagement type, level, discipline, start date, duration …): PUT it first.");
        }

        RequestMatch(desk, engagement, request.Top, request.IncludeCandidatesInVetting, CallerIdentity.Actor(http));
        engagement.MoveTo(EngagementState.Shortlisting, CallerIdentity.Actor(http), string.IsNullOrWhiteSpace(request.Reason) ? null : request.Reason.Trim(), desk.Now);
        return await desk.SaveAsync(engagement, http, cancellationToken);
    }

    /// <summary>Publishes a match request for the engagement's brief; only the answer to the latest request counts.</summary>
    internal static void RequestMatch(EngagementDesk desk, Engagement engagement, int top, bool includeCandidatesInVetting, string actor)
    {
        var now = desk.Now;
        var requestId = Guid.CreateVersion7(now);
        engagement.PendingMatchRequestId = requestId;
        desk.Db.Publish(new MatchRequested(requestId, engagement.Id, engagement.Brief!, top, engagement.ExcludedCandidateIds, includeCandidatesInVetting, actor, now), engagement.Id, now);
    }

    internal static async Task<IResult> ChangeAsync(Guid id, ShortlistChange change, HttpContext http, EngagementDesk desk, CancellationToken cancellationToken)
    {
        if (change.Action is not ("add" or "remove") || string.IsNullOrWhiteSpace(change.Reason) || change.Reason.Length > 1000 || change.CandidateId == Guid.Empty)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["change"] = ["candidateId required, action add or remove, reason 1 to 1,000 characters."],
            });
        }

        var (engagement, refusal) = await desk.LoadAsync(id, http, cancellationToken);
        if (engagement is null)
        {
            return refusal!;
        }

        if (engagement.Shortlist is not { } shortlist || engagement.State is not (EngagementState.ShortlistReady or EngagementState.Proposed))
        {
            return EngagementDesk.Problem(StatusCodes.Status409Conflict, "No shortlist to change", $"The shortlist can be changed in shortlist-ready or proposed; this engagement is '{engagement.State}'{(engagement.Shortlist is null ? " and has no shortlist yet" : "")}.");
        }

        if (change.Action == "add" && engagement.ExcludedCandidateIds.Contains(change.CandidateId))
        {
            return EngagementDesk.Problem(StatusCodes.Status409Conflict, "Excluded", $"Candidate {change.CandidateId} was replaced on this engagement and cannot be shortlisted for it again.");
        }

        var actor = CallerIdentity.Actor(http);
        var existing = shortlist.Candidates.FindIndex(c => c.CandidateId == change.CandidateId);
        var removed = change.Action == "remove";
        if (existing < 0 && removed)
        {
            return EngagementDesk.Problem(StatusCodes.Status409Conflict, "Not on the shortlist", $"Candidate {change.CandidateId} is not on the shortlist.");
        }

        var candidates = shortlist.Candidates.ToList();
        var entry = existing >= 0 ? candidates[existing] : new ShortlistCandidate(change.CandidateId, null, null, null, [], [], false, null, null);
        entry = entry with { Removed = removed, ChangeReason = change.Reason.Trim(), ChangedBy = actor };
        if (existing >= 0)
        {
            candidates[existing] = entry;
        }
        else
        {
            candidates.Add(entry);
        }

        engagement.Shortlist = shortlist with { Candidates = candidates };
        engagement.Mention(change.CandidateId);
        return await desk.SaveAsync(engagement, http, cancellationToken);
    }
}

/// <summary>
/// Stores the shortlist Matching produced and moves the engagement to shortlist-ready. Only the answer to the
/// engagement's latest request counts: one for a request the brief has since moved on from is ignored.
/// </summary>
public sealed class ShortlistProducedConsumer(EngagementsDbContext db, TimeProvider timeProvider)
    : IdempotentConsumer<ShortlistProduced, EngagementsDbContext>(db, timeProvider)
{
    protected override async Task HandleAsync(ShortlistProduced message, ConsumeContext<ShortlistProduced> context, CancellationToken cancellationToken)
    {
        var engagement = await Db.Engagements.FirstOrDefaultAsync(e => e.Id == message.EngagementId, cancellationToken);
        if (engagement is null || engagement.PendingMatchRequestId != message.RequestId || engagement.State != EngagementState.Shortlisting)
        {
            return;
        }

        var now = TimeProvider.GetUtcNowForStorage();
        // A person erased while this shortlist was on its way keeps their rank, but not their name or the evidence about them.
        var ids = message.Candidates.Select(c => c.CandidateId).ToList();
        var erased = (await Db.ErasedCandidates.Where(e => ids.Contains(e.CandidateId)).Select(e => e.CandidateId).ToListAsync(cancellationToken)).ToHashSet();
        // Candidates a recruiter added by hand stay on a re-run shortlist, unless they were since replaced on it.
        var byHand = engagement.Shortlist?.Candidates.Where(c => c.Rank is null && !c.Removed && !engagement.ExcludedCandidateIds.Contains(c.CandidateId)).ToList() ?? [];
        var ranked = message.Candidates.Select(c => erased.Contains(c.CandidateId)
            ? new ShortlistCandidate(c.CandidateId, null, c.Rank, c.Score, [.. c.Criteria.Select(k => k with { Evidence = "" })], c.Flags, false, null, null)
            : new ShortlistCandidate(c.CandidateId, c.FullName, c.Rank, c.Score, c.Criteria, c.Flags, false, null, null)).ToList();
        engagement.Shortlist = new EngagementShortlist(message.ShortlistId, message.RequestId, message.WeightsVersion, message.ProducedAt,
            [.. ranked, .. byHand.Where(h => ranked.All(r => r.CandidateId != h.CandidateId))]);
        foreach (var candidate in ranked)
        {
            engagement.Mention(candidate.CandidateId);
        }

        engagement.PendingMatchRequestId = null;
        engagement.ShortlistReadyAt ??= now;
        engagement.MoveTo(EngagementState.ShortlistReady, "matching", $"{ranked.Count} candidates ranked (weights {message.WeightsVersion})", now);
    }
}
