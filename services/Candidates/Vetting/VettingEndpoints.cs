using InterimPlatform.Candidates.Data;
using InterimPlatform.Candidates.Profiles;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Messaging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Candidates.Vetting;

/// <summary>One entry of a candidate's vetting history.</summary>
public sealed record VettingHistoryEntry(string From, string To, DateTimeOffset At, string By, string? Reason, IReadOnlyDictionary<string, int>? TraitScores, DateOnly? ApprovedUntil);

public static class VettingEndpoints
{
    public static IEndpointRouteBuilder MapVettingEndpoints(this IEndpointRouteBuilder app)
    {
        var vetting = app.MapGroup("/api/candidates/{id:guid}/vetting").WithTags("Vetting");

        vetting.MapPost("/", TransitionAsync)
            .WithName("MoveCandidateInVetting")
            .WithSummary("Move a candidate to the next vetting status")
            .WithDescription("sourced → screened → interviewed (with a 1–5 score for each of the seven traits) → references-checked → approved (until a date, default two years), or rejected / suspended with a reason. An illegal move answers 409 naming the allowed ones. Publishes CandidateVettingChanged.")
            .ProducesProblem(StatusCodes.Status409Conflict);

        vetting.MapGet("/", HistoryAsync)
            .WithName("GetCandidateVettingHistory")
            .WithSummary("Every vetting step: who, when, why");

        return app;
    }

    internal static async Task<Results<Ok<CandidateView>, NotFound, ValidationProblem, ProblemHttpResult>> TransitionAsync(
        Guid id, VettingTransitionRequest request, CandidatesDbContext db, TimeProvider time, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = VettingPipeline.Validate(request);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var candidate = await db.Candidates.FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (candidate is null)
        {
            return TypedResults.NotFound();
        }

        if (RequestContext.IfMatch(http) is (true, var version) && version != candidate.Version)
        {
            return ProfileEndpoints.Changed(candidate.Version);
        }

        var allowed = VettingPipeline.AllowedFrom(candidate.VettingStatus);
        if (!allowed.Contains(request.To!))
        {
            return TypedResults.Problem(
                title: "That vetting step is not allowed from here.",
                detail: $"A candidate who is {candidate.VettingStatus} can move to: {string.Join(", ", allowed)}.",
                statusCode: StatusCodes.Status409Conflict,
                extensions: new Dictionary<string, object?> { ["current"] = candidate.VettingStatus, ["allowed"] = allowed });
        }

        var now = time.GetUtcNowForStorage();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var approvedUntil = request.To == VettingStatus.Approved ? request.ApprovedUntil ?? today.AddDays((int)VettingPipeline.DefaultApproval.TotalDays) : (DateOnly?)null;
        if (approvedUntil <= today)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["approvedUntil"] = ["An approval must run into the future."] });
        }

        db.VettingEvents.Add(new VettingEvent
        {
            CandidateId = candidate.Id,
            From = candidate.VettingStatus,
            To = request.To!,
            At = now,
            By = RequestContext.Actor(http),
            Reason = request.Reason?.Trim(),
            TraitScores = request.TraitScores,
            ApprovedUntil = approvedUntil,
        });
        candidate.VettingStatus = request.To!;
        candidate.ApprovedUntil = approvedUntil;
        candidate.UpdatedAt = now;
        db.Publish(new CandidateVettingChanged(candidate.Id, CandidateContracts.Vetting(candidate), now), candidate.Id, now);
        return await ProfileEndpoints.SaveAsync(db, candidate, http, now, cancellationToken);
    }

    internal static async Task<Results<Ok<List<VettingHistoryEntry>>, NotFound>> HistoryAsync(Guid id, CandidatesDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Candidates.AnyAsync(c => c.Id == id, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        var history = await db.VettingEvents.AsNoTracking()
            .Where(v => v.CandidateId == id)
            .OrderBy(v => v.Id)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(history.Select(v => new VettingHistoryEntry(v.From, v.To, v.At, v.By, v.Reason, v.TraitScores, v.ApprovedUntil)).ToList());
    }
}
