using InterimPlatform.Contracts;
using InterimPlatform.Contracts.Engagements.V1;
using InterimPlatform.Engagements.Data;
using InterimPlatform.Engagements.Desk;
using InterimPlatform.Engagements.Shortlisting;
using InterimPlatform.Messaging.Idempotency;
using InterimPlatform.Messaging.Outbox;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Engagements.Placement;

/// <summary>Propose shortlisted candidates to the client.</summary>
public sealed record ProposalRequest(IReadOnlyList<Guid>? CandidateIds);

/// <summary>The client's answer to a proposed candidate.</summary>
/// <param name="Decision">accepted or declined.</param>
/// <param name="Reason">Required for a decline.</param>
public sealed record DecisionRequest(string? Decision, string? Reason);

/// <summary>Contract the accepted candidate.</summary>
/// <param name="EndDate">Last day of the contract (inclusive).</param>
public sealed record PlacementRequest(Guid CandidateId, DateOnly StartDate, DateOnly EndDate, decimal DayRate, string? Currency);

/// <summary>Start the engagement: the shadow manager and the review rhythm.</summary>
/// <param name="ShadowManager">A vetted person other than the interim manager.</param>
/// <param name="ReviewEveryWeeks">Progress reviews every N weeks (default 4).</param>
public sealed record ActivationRequest(ShadowManager? ShadowManager, int ReviewEveryWeeks = 4);

/// <summary>The findings of the two-week diagnostic.</summary>
public sealed record DiagnosticRequest(string? Summary);

/// <summary>A progress review.</summary>
/// <param name="Attendees">client, interim-manager, shadow-manager.</param>
/// <param name="Ratings">1–5 each, for example { "clientSatisfaction": 4, "progress": 5 }.</param>
public sealed record ReviewRequest(DateOnly HeldOn, IReadOnlyList<string>? Attendees, Dictionary<string, int>? Ratings, string? Notes);

/// <summary>The client is not satisfied: a no-cost replacement is opened.</summary>
public sealed record ReplacementRequest(string? Reason);

/// <summary>How the assignment went.</summary>
/// <param name="Outcome">exceeded, achieved, partly-achieved, not-achieved or ended-early.</param>
/// <param name="ClientRating">The client's rating, 1–5.</param>
public sealed record CompletionRequest(string? Outcome, int? ClientRating, string? Notes);

/// <summary>An active engagement whose progress review is overdue.</summary>
public sealed record OverdueReview(Guid EngagementId, string Title, DateOnly Due, int DaysOverdue);

/// <summary>From proposal to completion: the client's decisions, the placement, the active phase and its reviews, replacements.</summary>
public static class PlacementDesk
{
    private static readonly string[] Attendees = ["client", "interim-manager", "shadow-manager"];

    public static IEndpointRouteBuilder MapPlacementEndpoints(this IEndpointRouteBuilder app)
    {
        var engagements = app.MapGroup("/api/engagements").WithTags("Proposals, placement and delivery");

        Action(engagements.MapPost("/{id:guid}/proposals", ProposeAsync).WithName("ProposeCandidates")
            .WithSummary("Propose shortlisted candidates to the client (shortlist-ready → proposed)"));
        Action(engagements.MapPost("/{id:guid}/proposals/{candidateId:guid}/decision", DecideAsync).WithName("RecordClientDecision")
            .WithSummary("Record the client's decision on a proposed candidate: accepted, or declined with a reason"));
        Action(engagements.MapPost("/{id:guid}/placement", PlaceAsync).WithName("PlaceCandidate")
            .WithSummary("Contract the accepted candidate (proposed → placed)")
            .WithDescription("Needs a sponsor and an exit plan. Publishes CandidatePlaced, so Candidates and Matching treat the person as unavailable for the period. After a replacement the fee is waived."));
        Action(engagements.MapPost("/{id:guid}/activation", ActivateAsync).WithName("ActivateEngagement")
            .WithSummary("Start the engagement with its shadow manager (placed → active); the two-week diagnostic milestone and the review schedule begin"));
        Action(engagements.MapPost("/{id:guid}/diagnostic", DiagnoseAsync).WithName("CompleteDiagnostic")
            .WithSummary("Record the findings of the two-week diagnostic"));
        Action(engagements.MapPost("/{id:guid}/reviews", ReviewAsync).WithIdempotency().WithName("RecordProgressReview")
            .WithSummary("Record a progress review: attendees, date, ratings, notes; the next one is due a review interval later"));
        Action(engagements.MapPost("/{id:guid}/replacement", ReplaceAsync).WithName("OpenReplacement")
            .WithSummary("No-cost replacement: end the current placement, exclude its interim, restart shortlisting and the SLA clock")
            .WithDescription("The original placement is ended (not deleted) and PlacementEnded published; the next placement's fee is waived."));
        Action(engagements.MapPost("/{id:guid}/completion", CompleteAsync).WithName("CompleteEngagement")
            .WithSummary("Complete the engagement with its outcome and the client's rating (handover → completed)")
            .WithDescription("Ends the placement and publishes AssignmentCompleted, so the interim manager's track record grows in Candidates (and Matching)."));
        engagements.MapGet("/reviews/overdue", OverdueAsync).WithTags("Proposals, placement and delivery").WithName("ListOverdueReviews")
            .WithSummary("Active engagements whose progress review is overdue");
        return app;
    }

    private static void Action(RouteHandlerBuilder endpoint) => endpoint
        .Produces<EngagementView>().ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed);

    internal static async Task<IResult> ProposeAsync(Guid id, ProposalRequest request, HttpContext http, EngagementDesk desk, CancellationToken cancellationToken)
    {
        if (request.CandidateIds is not { Count: > 0 and <= 20 })
        {
            return EngagementDesk.Invalid("candidateIds", "1 to 20 candidates from the shortlist.");
        }

        var (engagement, refusal) = await desk.LoadAsync(id, http, cancellationToken);
        if (engagement is null)
        {
            return refusal!;
        }

        if (engagement.State != EngagementState.Proposed && EngagementDesk.RefuseTransition(engagement, EngagementState.Proposed) is { } illegal)
        {
            return illegal;
        }

        var onShortlist = engagement.Shortlist?.Candidates.Where(c => !c.Removed).ToDictionary(c => c.CandidateId) ?? [];
        if (request.CandidateIds.Where(c => !onShortlist.ContainsKey(c)).Select(c => (Guid?)c).FirstOrDefault() is { } missing)
        {
            return EngagementDesk.Problem(StatusCodes.Status409Conflict, "Not on the shortlist", $"Candidate {missing} is not on the shortlist: add them by hand first.");
        }

        if (request.CandidateIds.Where(engagement.ExcludedCandidateIds.Contains).Select(c => (Guid?)c).FirstOrDefault() is { } excluded)
        {
            return EngagementDesk.Problem(StatusCodes.Status409Conflict, "Excluded", $"Candidate {excluded} was replaced on this engagement and cannot be proposed for it again.");
        }

        var now = desk.Now;
        foreach (var candidateId in request.CandidateIds.Distinct().Where(c => engagement.Proposals.All(p => p.CandidateId != c)))
        {
            engagement.Proposals.Add(new Proposal(candidateId, onShortlist[candidateId].FullName, now, "pending", null, null, null));
        }

        engagement.Proposals = [.. engagement.Proposals];
        engagement.ProposedAt ??= now;
        if (engagement.State != EngagementState.Proposed)
        {
            engagement.MoveTo(EngagementState.Proposed, CallerIdentity.Actor(http), $"{request.CandidateIds.Count} candidate(s) proposed", now);
        }

        return await desk.SaveAsync(engagement, http, cancellationToken);
    }

    internal static async Task<IResult> DecideAsync(Guid id, Guid candidateId, DecisionRequest request, HttpContext http, EngagementDesk desk, CancellationToken cancellationToken)
    {
        if (request.Decision is not ("accepted" or "declined") || (request.Decision == "declined" && string.IsNullOrWhiteSpace(request.Reason)) || request.Reason is { Length: > 1000 })
        {
            return EngagementDesk.Invalid("decision", "accepted, or declined with a reason (up to 1,000 characters).");
        }

        var (engagement, refusal) = await desk.LoadAsync(id, http, cancellationToken);
        if (engagement is null)
        {
            return refusal!;
        }

        var index = engagement.Proposals.FindIndex(p => p.CandidateId == candidateId);
        if (engagement.State != EngagementState.Proposed || index < 0 || engagement.Proposals[index].Decision != "pending")
        {
            return EngagementDesk.Problem(StatusCodes.Status409Conflict, "Nothing to decide", $"Candidate {candidateId} has no pending proposal on this engagement (state '{engagement.State}').");
        }

        var proposals = engagement.Proposals.ToList();
        proposals[index] = proposals[index] with { Decision = request.Decision, Reason = request.Reason?.Trim(), DecidedAt = desk.Now, DecidedBy = CallerIdentity.Actor(http) };
        engagement.Proposals = proposals;
        return await desk.SaveAsync(engagement, http, cancellationToken);
    }

    internal static async Task<IResult> PlaceAsync(Guid id, PlacementRequest request, HttpContext http, EngagementDesk desk, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.EndDate < request.StartDate || Math.Abs(request.StartDate.DayNumber - desk.Today.DayNumber) > 3660 || request.EndDate.DayNumber - request.StartDate.DayNumber > 3660)
        {
            errors["endDate"] = ["A start date within ten years of today, and an end date on or after it, at most ten years later."];
        }

        if (request.DayRate is <= 0 or > 1_000_000)
        {
            errors["dayRate"] = ["Greater than 0."];
        }

        if (request.Currency is not { Length: 3 } currency || !currency.All(char.IsAsciiLetterUpper))
        {
            errors["currency"] = ["An ISO 4217 code, for example \"EUR\"."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var (engagement, refusal) = await desk.LoadAsync(id, http, cancellationToken);
        if (engagement is null)
        {
            return refusal!;
        }

        if (EngagementDesk.RefuseTransition(engagement, EngagementState.Placed) is { } illegal)
        {
            return illegal;
        }

        var conditions = EngagementView.ConditionsOf(engagement);
        if (!conditions.Sponsor || !conditions.ExitPlan)
        {
            return EngagementDesk.Problem(StatusCodes.Status409Conflict, "Intake incomplete",
                $"An engagement cannot start without {string.Join(" and ", new[] { conditions.Sponsor ? null : "a sponsor", conditions.ExitPlan ? null : "an exit plan" }.OfType<string>())}.");
        }

        if (engagement.Proposals.FirstOrDefault(p => p.CandidateId == request.CandidateId) is not { Decision: "accepted" } accepted)
        {
            return EngagementDesk.Problem(StatusCodes.Status409Conflict, "Not accepted", $"The client has not accepted candidate {request.CandidateId}.");
        }

        var now = desk.Now;
        var placement = new PlacementRecord(Guid.CreateVersion7(now), request.CandidateId, accepted.FullName, request.StartDate, request.EndDate, request.DayRate, request.Currency!, engagement.NextPlacementFeeWaived, now);
        engagement.Placements = [.. engagement.Placements, placement];
        engagement.NextPlacementFeeWaived = false;
        engagement.PlacedAt ??= now;
        engagement.Mention(request.CandidateId);
        desk.Db.Publish(new CandidatePlaced(placement.Id, engagement.Id, placement.CandidateId, placement.StartDate, placement.EndDate, placement.DayRate, placement.Currency, now), request.CandidateId, now);
        engagement.MoveTo(EngagementState.Placed, CallerIdentity.Actor(http), $"placed {request.CandidateId}{(placement.FeeWaived ? " (fee waived: replacement)" : "")}", now);
        return await desk.SaveAsync(engagement, http, cancellationToken);
    }

    internal static async Task<IResult> ActivateAsync(Guid id, ActivationRequest request, HttpContext http, EngagementDesk desk, CancellationToken cancellationToken)
    {
        if (request.ShadowManager is not { Name: { Length: > 0 and <= 200 } } shadow || string.IsNullOrWhiteSpace(shadow.Name) || request.ReviewEveryWeeks is < 1 or > 26)
        {
            return EngagementDesk.Invalid("shadowManager", "A shadow manager (name, and candidate id when they are in the pool) and a review interval of 1 to 26 weeks.");
        }

        var (engagement, refusal) = await desk.LoadAsync(id, http, cancellationToken);
        if (engagement is null)
        {
            return refusal!;
        }

        if (EngagementDesk.RefuseTransition(engagement, EngagementState.Active) is { } illegal)
        {
            return illegal;
        }

        var placement = engagement.CurrentPlacement!;
        if (shadow.CandidateId == placement.CandidateId)
        {
            return EngagementDesk.Invalid("shadowManager.candidateId", "The shadow manager must be someone other than the interim manager.");
        }

        engagement.ShadowManager = shadow with { Name = shadow.Name.Trim() };
        engagement.ReviewEveryWeeks = request.ReviewEveryWeeks;
        engagement.DiagnosticDueOn = placement.StartDate.AddDays(14);
        engagement.DiagnosticCompletedAt = null;
        engagement.DiagnosticSummary = null;
        engagement.NextReviewDue = placement.StartDate.AddDays(7 * request.ReviewEveryWeeks);
        if (shadow.CandidateId is { } shadowId)
        {
            engagement.Mention(shadowId);
        }

        engagement.MoveTo(EngagementState.Active, CallerIdentity.Actor(http), "diagnostic phase started", desk.Now);
        return await desk.SaveAsync(engagement, http, cancellationToken);
    }

    internal static async Task<IResult> DiagnoseAsync(Guid id, DiagnosticRequest request, HttpContext http, EngagementDesk desk, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Summary) || request.Summary.Length > 4000)
        {
            return EngagementDesk.Invalid("summary", "The diagnostic's findings, 1 to 4,000 characters.");
        }

        var (engagement, refusal) = await desk.LoadAsync(id, http, cancellationToken);
        if (engagement is null)
        {
            return refusal!;
        }

        if (engagement.State != EngagementState.Active)
        {
            return EngagementDesk.Problem(StatusCodes.Status409Conflict, "Not active", $"The diagnostic belongs to an active engagement; this one is '{engagement.State}'.");
        }

        engagement.DiagnosticCompletedAt = desk.Now;
        engagement.DiagnosticSummary = request.Summary.Trim();
        return await desk.SaveAsync(engagement, http, cancellationToken);
    }

    internal static async Task<IResult> ReviewAsync(Guid id, ReviewRequest request, HttpContext http, EngagementDesk desk, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.HeldOn == default || request.HeldOn > desk.Today)
        {
            errors["heldOn"] = ["The day the review was held (not in the future)."];
        }

        if (request.Attendees is not { Count: > 0 } attendees || attendees.Any(a => !Attendees.Contains(a)))
        {
            errors["attendees"] = [$"One or more of: {string.Join(", ", Attendees)}."];
        }

        if (request.Ratings is { } ratings && (ratings.Count > 10 || ratings.Any(r => r.Key.Length is 0 or > 50 || r.Value is < 1 or > 5)))
        {
            errors["ratings"] = ["Up to 10 named ratings from 1 to 5."];
        }

        if (request.Notes is { Length: > 4000 })
        {
            errors["notes"] = ["At most 4,000 characters."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var (engagement, refusal) = await desk.LoadAsync(id, http, cancellationToken);
        if (engagement is null)
        {
            return refusal!;
        }

        if (engagement.State is not (EngagementState.Active or EngagementState.Handover))
        {
            return EngagementDesk.Problem(StatusCodes.Status409Conflict, "Not active", $"Progress reviews belong to an active engagement (or its handover); this one is '{engagement.State}'.");
        }

        var now = desk.Now;
        engagement.Reviews = [.. engagement.Reviews, new ProgressReview(Guid.CreateVersion7(now), request.HeldOn, [.. request.Attendees!.Distinct()], request.Ratings ?? [], request.Notes?.Trim(), CallerIdentity.Actor(http), now)];
        var latest = engagement.Reviews.Max(r => r.HeldOn);
        engagement.NextReviewDue = latest.AddDays(7 * engagement.ReviewEveryWeeks);
        return await desk.SaveAsync(engagement, http, cancellationToken);
    }

    internal static async Task<Ok<List<OverdueReview>>> OverdueAsync(EngagementDesk desk, CancellationToken cancellationToken)
    {
        var today = desk.Today;
        var overdue = await desk.Db.Engagements.AsNoTracking()
            .Where(e => e.State == EngagementState.Active && e.NextReviewDue != null && e.NextReviewDue < today)
            .OrderBy(e => e.NextReviewDue)
            .Select(e => new { e.Id, e.Title, Due = e.NextReviewDue!.Value })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(overdue.Select(e => new OverdueReview(e.Id, e.Title, e.Due, today.DayNumber - e.Due.DayNumber)).ToList());
    }

    internal static async Task<IResult> ReplaceAsync(Guid id, ReplacementRequest request, HttpContext http, EngagementDesk desk, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > 1000)
        {
            return EngagementDesk.Invalid("reason", "Why the client is not satisfied, 1 to 1,000 characters.");
        }

        var (engagement, refusal) = await desk.LoadAsync(id, http, cancellationToken);
        if (engagement is null)
        {
            return refusal!;
        }

        if (engagement.State is not (EngagementState.Placed or EngagementState.Active) || engagement.CurrentPlacement is not { } current)
        {
            return EngagementDesk.Problem(StatusCodes.Status409Conflict, "Nothing to replace", $"A replacement is opened against the current placement of a placed or active engagement; this one is '{engagement.State}'.");
        }

        var actor = CallerIdentity.Actor(http);
        var now = desk.Now;
        EndCurrentPlacement(desk, engagement, "replaced: " + request.Reason.Trim());
        engagement.ExcludedCandidateIds = [.. engagement.ExcludedCandidateIds, current.CandidateId];
        engagement.Replacements++;
        engagement.NextPlacementFeeWaived = true;
        engagement.ShadowManager = null;
        engagement.NextReviewDue = null;
        engagement.DiagnosticDueOn = null;
        engagement.Proposals = [];
        engagement.StartClock(now);
        ShortlistingEndpoints.RequestMatch(desk, engagement, 20, includeCandidatesInVetting: false, actor);
        engagement.MoveTo(EngagementState.Shortlisting, actor, "replacement: " + request.Reason.Trim(), now);
        return await desk.SaveAsync(engagement, http, cancellationToken);
    }

    internal static async Task<IResult> CompleteAsync(Guid id, CompletionRequest request, HttpContext http, EngagementDesk desk, CancellationToken cancellationToken)
    {
        if (request.Outcome is null || !Vocabularies.Outcomes.Contains(request.Outcome) || request.ClientRating is < 1 or > 5 || request.Notes is { Length: > 4000 })
        {
            return EngagementDesk.Invalid("outcome", $"Outcome one of {string.Join(", ", Vocabularies.Outcomes)}; client rating 1–5; notes up to 4,000 characters.");
        }

        var (engagement, refusal) = await desk.LoadAsync(id, http, cancellationToken);
        if (engagement is null)
        {
            return refusal!;
        }

        if (EngagementDesk.RefuseTransition(engagement, EngagementState.Completed) is { } illegal)
        {
            return illegal;
        }

        var placement = engagement.CurrentPlacement!;
        var now = desk.Now;
        var endedOn = EndCurrentPlacement(desk, engagement, string.IsNullOrWhiteSpace(request.Notes) ? "completed" : "completed: " + request.Notes.Trim());
        var client = await desk.Db.Clients.AsNoTracking().FirstAsync(c => c.Id == engagement.ClientId, cancellationToken);
        var brief = engagement.Brief!;
        var months = Math.Max(1, (int)Math.Round((endedOn.DayNumber - placement.StartDate.DayNumber + 1) / 30.4));
        desk.Db.Publish(new AssignmentCompleted(
            placement.Id, engagement.Id, placement.CandidateId, brief.Industry ?? client.Industry ?? "unspecified", engagement.Title[..Math.Min(engagement.Title.Length, 100)],
            brief.EngagementType, brief.Level, months, request.Outcome, request.ClientRating, endedOn, now), placement.CandidateId, now);
        engagement.Outcome = request.Outcome;
        engagement.ClientRating = request.ClientRating;
        engagement.NextReviewDue = null;
        engagement.MoveTo(EngagementState.Completed, CallerIdentity.Actor(http), $"{request.Outcome}{(string.IsNullOrWhiteSpace(request.Notes) ? "" : ": " + request.Notes.Trim())}", now);
        return await desk.SaveAsync(engagement, http, cancellationToken);
    }

    /// <summary>Ends the current placement today (or on its last day, if that is earlier) and publishes PlacementEnded; returns the last day worked.</summary>
    internal static DateOnly EndCurrentPlacement(EngagementDesk desk, Engagement engagement, string reason)
    {
        var current = engagement.CurrentPlacement!;
        var endedOn = desk.Today < current.EndDate ? desk.Today : current.EndDate;
        var now = desk.Now;
        engagement.Placements = [.. engagement.Placements.Select(p => p.Id == current.Id ? p with { EndedOn = endedOn, EndReason = reason, EndedAt = now } : p)];
        desk.Db.Publish(new PlacementEnded(current.Id, engagement.Id, current.CandidateId, endedOn, reason, now), current.CandidateId, now);
        return endedOn;
    }
}
