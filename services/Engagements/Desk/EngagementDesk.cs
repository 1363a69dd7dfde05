using InterimPlatform.Engagements.Data;
using InterimPlatform.Engagements.Sla;
using InterimPlatform.Messaging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace InterimPlatform.Engagements.Desk;

/// <summary>
/// What every engagement endpoint does around its own rule: load the engagement, honour <c>If-Match</c>,
/// refuse an illegal transition with the allowed ones, save with the row version as the guard, and answer
/// with the engagement and its ETag.
/// </summary>
public sealed class EngagementDesk(EngagementsDbContext db, TimeProvider timeProvider, IOptions<SlaOptions> sla)
{
    public EngagementsDbContext Db => db;

    public SlaOptions Sla => sla.Value;

    public DateTimeOffset Now => timeProvider.GetUtcNowForStorage();

    public DateOnly Today => DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);

    /// <summary>The engagement, or why the request cannot act on it: 404, or 412 when <c>If-Match</c> names another version.</summary>
    public async Task<(Engagement? Engagement, IResult? Refusal)> LoadAsync(Guid id, HttpContext http, CancellationToken cancellationToken)
    {
        var engagement = await db.Engagements.FirstOrDefaultAsync(e => e.Id == id, cancellationToken);
        if (engagement is null)
        {
            return (null, TypedResults.NotFound());
        }

        var (present, version) = EntityTags.IfMatch(http);
        if (present && version != engagement.Version)
        {
            return (null, Problem(StatusCodes.Status412PreconditionFailed, "Changed meanwhile", $"Engagement {id} is at version {EntityTags.ETag(engagement.Version)}; someone else changed it. Read it again and retry."));
        }

        return (engagement, null);
    }

    /// <summary>409 naming the allowed transitions, or null when <paramref name="to"/> is allowed from the current state.</summary>
    public static ProblemHttpResult? RefuseTransition(Engagement engagement, string to)
    {
        if (engagement.CanMoveTo(to))
        {
            return null;
        }

        var allowed = EngagementState.AllowedFrom(engagement.State);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: "Transition not allowed",
            detail: $"An engagement in state '{engagement.State}' cannot move to '{to}'. Allowed: {(allowed.Count == 0 ? "none (it is closed)" : string.Join(", ", allowed))}.",
            extensions: new Dictionary<string, object?> { ["state"] = engagement.State, ["allowed"] = allowed });
    }

    /// <summary>Saves; a concurrent change to the same engagement is a 409 instead of a silent overwrite.</summary>
    public async Task<IResult> SaveAsync(Engagement engagement, HttpContext http, CancellationToken cancellationToken, bool created = false)
    {
        engagement.UpdatedAt = Now;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problem(StatusCodes.Status409Conflict, "Changed meanwhile", $"Engagement {engagement.Id} was changed by someone else at the same time. Read it again and retry.");
        }

        http.Response.Headers.ETag = EntityTags.ETag(engagement.Version);
        var view = EngagementView.From(engagement, Sla, Now);
        return created ? TypedResults.Created($"/api/engagements/{engagement.Id}", view) : TypedResults.Ok(view);
    }

    public static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(statusCode: status, title: title, detail: detail);

    public static ValidationProblem Invalid(string field, string problem) => TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [problem] });
}
