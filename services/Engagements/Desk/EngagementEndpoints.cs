using System.Text.Json;
using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Engagements.Data;
using InterimPlatform.Engagements.Placement;
using InterimPlatform.Engagements.Shortlisting;
using InterimPlatform.Engagements.Sla;
using InterimPlatform.Messaging.Idempotency;
using InterimPlatform.Messaging.Outbox;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Engagements.Desk;

/// <summary>Opens an engagement for a client; the brief, sponsor and exit plan can follow during intake.</summary>
/// <param name="Brief">What the client asks for (the same shape Matching ranks against).</param>
/// <param name="Situation">The situation in the client's words.</param>
/// <param name="SponsorContactId">A contact of the client with authority.</param>
/// <param name="ExitPlan">How the interim will hand over and leave.</param>
public sealed record EngagementRequest(Guid ClientId, string? Title, MatchBrief? Brief, string? Situation, Guid? SponsorContactId, string? ExitPlan);

/// <summary>A move that needs nothing but a reason: to intake, to handover, or cancelled.</summary>
public sealed record TransitionRequest(string? To, string? Reason);

public static class EngagementEndpoints
{
    private const int MaxPageSize = 200;
    private const int MaxText = 4000;

    public static IEndpointRouteBuilder MapEngagementEndpoints(this IEndpointRouteBuilder app)
    {
        var engagements = app.MapGroup("/api/engagements").WithTags("Engagements");

        engagements.MapPost("/", CreateAsync).WithIdempotency().WithName("CreateEngagement")
            .WithSummary("Open a draft engagement for a client")
            .Produces<EngagementView>(StatusCodes.Status201Created).ProducesValidationProblem();

        engagements.MapGet("/{id:guid}", GetAsync).WithName("GetEngagement")
            .WithSummary("An engagement with its brief, intake conditions, shortlist, proposals, placements, reviews and SLA")
            .WithDescription("The ETag header is the engagement's version: send it as If-Match when you change it.")
            .Produces<EngagementView>().ProducesProblem(StatusCodes.Status404NotFound);

        engagements.MapGet("/", ListAsync).WithName("ListEngagements")
            .WithSummary("Engagements, newest first; filter by state, engagement type, client, at risk or breached");

        engagements.MapPut("/{id:guid}", UpdateAsync).WithName("UpdateEngagement")
            .WithSummary("Change the title, brief, situation, sponsor or exit plan")
            .WithDescription("Requires If-Match with the ETag you read (428 without, 412 if someone changed it meanwhile). The brief can change until a placement is made; after a change, re-run shortlisting.")
            .Produces<EngagementView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);

        engagements.MapPost("/{id:guid}/transitions", TransitionAsync).WithName("TransitionEngagement")
            .WithSummary("Move to intake (starts the SLA clock), to handover, or cancel (with a reason)")
            .WithDescription("The other moves have their own endpoints because they carry data: shortlisting, proposals, placement, activation, replacement, completion. An illegal move is a 409 naming the allowed ones.")
            .Produces<EngagementView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        engagements.MapGet("/{id:guid}/history", HistoryAsync).WithName("GetEngagementHistory")
            .WithSummary("Every transition: from, to, who, when, why");

        return app;
    }

    internal static async Task<IResult> CreateAsync(EngagementRequest request, HttpContext http, EngagementDesk desk, CancellationToken cancellationToken)
    {
        var errors = Validate(request.Title, request.Brief, request.Situation, request.ExitPlan);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await SponsorProblemAsync(desk, request.ClientId, request.SponsorContactId, cancellationToken) is { } problem)
        {
            return problem;
        }

        var now = desk.Now;
        var engagement = new Engagement { Id = SequentialGuid.Next(now), ClientId = request.ClientId, Title = request.Title!.Trim(), CreatedAt = now };
        Apply(engagement, request);
        engagement.History.Add(new Transition("", EngagementState.Draft, CallerIdentity.Actor(http), "opened", now));
        desk.Db.Engagements.Add(engagement);
        return await desk.SaveAsync(engagement, http, cancellationToken, created: true);
    }

    internal static async Task<IResult> GetAsync(Guid id, HttpContext http, EngagementDesk desk, CancellationToken cancellationToken)
    {
        if (await desk.Db.Engagements.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, cancellationToken) is not { } engagement)
        {
            return TypedResults.NotFound();
        }

        http.Response.Headers.ETag = EntityTags.ETag(engagement.Version);
        return TypedResults.Ok(EngagementView.From(engagement, desk.Sla, desk.Now));
    }

    internal static async Task<Results<Ok<EngagementPage>, ValidationProblem>> ListAsync(
        EngagementDesk desk, CancellationToken cancellationToken,
        string? state = null, string? engagementType = null, Guid? clientId = null, bool? atRisk = null, bool? breached = null, int skip = 0, int take = 50)
    {
        if (skip < 0 || take is < 1 or > MaxPageSize || (state is not null && !EngagementState.All.Contains(state)))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["query"] = [$"skip ≥ 0, take 1–{MaxPageSize}, state one of {string.Join(", ", EngagementState.All)}."],
            });
        }

        var query = desk.Db.Engagements.AsNoTracking()
            .Where(e => state == null || e.State == state)
            .Where(e => engagementType == null || e.EngagementType == engagementType)
            .Where(e => clientId == null || e.ClientId == clientId)
            .OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id);
        var now = desk.Now;
        if (atRisk is null && breached is null)
        {
            var total = await query.CountAsync(cancellationToken);
            var page = await query.Skip(skip).Take(take).ToListAsync(cancellationToken);
            return TypedResults.Ok(new EngagementPage(total, skip, take, [.. page.Select(e => Summary(e, desk.Sla, now))]));
        }

        // SLA status depends on the clock: computed over the engagements whose clock runs.
        var timed = (await query.Where(e => e.ClockStartedAt != null).ToListAsync(cancellationToken))
            .Where(e => atRisk is null || SlaClock.IsAtRisk(e, desk.Sla, now) == atRisk)
            .Where(e => breached is null || SlaClock.IsBreached(e, desk.Sla, now) == breached)
            .ToList();
        return TypedResults.Ok(new EngagementPage(timed.Count, skip, take, [.. timed.Skip(skip).Take(take).Select(e => Summary(e, desk.Sla, now))]));
    }

    internal static async Task<IResult> UpdateAsync(Guid id, EngagementRequest request, HttpContext http, EngagementDesk desk, CancellationToken cancellationToken)
    {
        if (!EntityTags.IfMatch(http).Present)
        {
            return EngagementDesk.Problem(StatusCodes.Status428PreconditionRequired, "If-Match required", "Send the ETag you read as If-Match, so a change made meanwhile by someone else is not overwritten.");
        }

        var errors = Validate(request.Title, request.Brief, request.Situation, request.ExitPlan);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var (engagement, refusal) = await desk.LoadAsync(id, http, cancellationToken);
        if (engagement is null)
        {
            return refusal!;
        }

        if (request.ClientId != engagement.ClientId)
        {
            return EngagementDesk.Invalid("clientId", "An engagement stays with its client.");
        }

        var briefChanged = !SameBrief(request.Brief, engagement.Brief);
        if (!EngagementState.IsOpen(engagement.State) || (briefChanged && engagement.Placements.Count > 0))
        {
            return EngagementDesk.Problem(StatusCodes.Status409Conflict, "Not editable now", $"The brief is frozen once a placement was made (a replacement shortlists with the original brief); this engagement is '{engagement.State}'.");
        }

        if (request.Brief is null && engagement.State is not (EngagementState.Draft or EngagementState.Intake))
        {
            return EngagementDesk.Invalid("brief", "Past intake an engagement keeps a brief: change it, do not remove it.");
        }

        if (await SponsorProblemAsync(desk, engagement.ClientId, request.SponsorContactId, cancellationToken) is { } problem)
        {
            return problem;
        }

        engagement.Title = request.Title!.Trim();
        Apply(engagement, request);
        if (briefChanged && engagement.State == EngagementState.Shortlisting)
        {
            // The answer to the old brief would be stale: ask again, and only the new answer counts.
            ShortlistingEndpoints.RequestMatch(desk, engagement, 20, includeCandidatesInVetting: false, CallerIdentity.Actor(http));
        }

        return await desk.SaveAsync(engagement, http, cancellationToken);
    }

    internal static async Task<IResult> TransitionAsync(Guid id, TransitionRequest request, HttpContext http, EngagementDesk desk, CancellationToken cancellationToken)
    {
        if (request.To is not (EngagementState.Intake or EngagementState.Handover or EngagementState.Cancelled))
        {
            return EngagementDesk.Invalid("to", "intake, handover or cancelled here; shortlisting, proposals, placement, activation, replacement and completion have their own endpoints.");
        }

        if (request.Reason is { Length: > 1000 } || (request.To == EngagementState.Cancelled && string.IsNullOrWhiteSpace(request.Reason)))
        {
            return EngagementDesk.Invalid("reason", "Up to 1,000 characters; required to cancel.");
        }

        var (engagement, refusal) = await desk.LoadAsync(id, http, cancellationToken);
        if (engagement is null)
        {
            return refusal!;
        }

        if (EngagementDesk.RefuseTransition(engagement, request.To) is { } illegal)
        {
            return illegal;
        }

        var now = desk.Now;
        if (request.To == EngagementState.Intake)
        {
            engagement.StartClock(now);
        }

        if (request.To == EngagementState.Cancelled && engagement.CurrentPlacement is not null)
        {
            PlacementDesk.EndCurrentPlacement(desk, engagement, "cancelled: " + request.Reason!.Trim());
        }

        engagement.PendingMatchRequestId = request.To == EngagementState.Cancelled ? null : engagement.PendingMatchRequestId;
        engagement.MoveTo(request.To, CallerIdentity.Actor(http), request.Reason?.Trim(), now);
        return await desk.SaveAsync(engagement, http, cancellationToken);
    }

    internal static async Task<Results<Ok<IReadOnlyList<Transition>>, NotFound>> HistoryAsync(Guid id, EngagementsDbContext db, CancellationToken cancellationToken) =>
        await db.Engagements.AsNoTracking().Where(e => e.Id == id).Select(e => e.History).FirstOrDefaultAsync(cancellationToken) is { } history
            ? TypedResults.Ok<IReadOnlyList<Transition>>(history)
            : TypedResults.NotFound();

    private static bool SameBrief(MatchBrief? a, MatchBrief? b) =>
        JsonSerializer.Serialize(a is null ? null : MatchBriefRules.Normalise(a), JsonSerializerOptions.Web) == JsonSerializer.Serialize(b, JsonSerializerOptions.Web);

    private static EngagementSummary Summary(Engagement e, SlaOptions sla, DateTimeOffset now) =>
        new(e.Id, e.ClientId, e.Title, e.State, e.EngagementType, SlaClock.IsAtRisk(e, sla, now), SlaClock.IsBreached(e, sla, now), e.CreatedAt);

    private static void Apply(Engagement engagement, EngagementRequest request)
    {
        engagement.Brief = request.Brief is null ? null : MatchBriefRules.Normalise(request.Brief);
        engagement.EngagementType = request.Brief?.EngagementType;
        engagement.Situation = string.IsNullOrWhiteSpace(request.Situation) ? null : request.Situation.Trim();
        engagement.SponsorContactId = request.SponsorContactId;
        engagement.ExitPlan = string.IsNullOrWhiteSpace(request.ExitPlan) ? null : request.ExitPlan.Trim();
    }

    private static Dictionary<string, string[]> Validate(string? title, MatchBrief? brief, string? situation, string? exitPlan)
    {
        var errors = brief is null ? [] : MatchBriefRules.Validate(brief);
        if (string.IsNullOrWhiteSpace(title) || title.Trim().Length > Engagement.MaxTitleLength)
        {
            errors["title"] = [$"A title of 1 to {Engagement.MaxTitleLength} characters is required."];
        }

        if (situation is { Length: > MaxText })
        {
            errors["situation"] = [$"At most {MaxText} characters."];
        }

        if (exitPlan is { Length: > MaxText })
        {
            errors["exitPlan"] = [$"At most {MaxText} characters."];
        }

        return errors;
    }

    /// <summary>The client must exist, and a sponsor must be one of its contacts with authority.</summary>
    private static async Task<IResult?> SponsorProblemAsync(EngagementDesk desk, Guid clientId, Guid? sponsorContactId, CancellationToken cancellationToken)
    {
        var client = await desk.Db.Clients.AsNoTracking().FirstOrDefaultAsync(c => c.Id == clientId, cancellationToken);
        if (client is null)
        {
            return EngagementDesk.Invalid("clientId", "No such client: register it at /api/engagements/clients first.");
        }

        if (sponsorContactId is { } sponsor && client.Contacts.FirstOrDefault(c => c.Id == sponsor) is not { HasAuthority: true })
        {
            return EngagementDesk.Invalid("sponsorContactId", "The sponsor must be one of the client's contacts with authority.");
        }

        return null;
    }
}
