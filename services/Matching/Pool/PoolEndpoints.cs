using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Matching.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Matching.Pool;

/// <summary>A candidate as Matching knows them.</summary>
public sealed record PoolCandidateView(
    Guid CandidateId,
    CandidateProfile? Profile,
    CandidateAvailability Availability,
    CandidateVetting Vetting,
    DateTimeOffset? RegisteredAt,
    DateTimeOffset UpdatedAt)
{
    public static PoolCandidateView From(PoolCandidate c) => new(
        c.CandidateId,
        c.Profile,
        new CandidateAvailability(c.AvailableFrom, c.AvailableUntil, c.NoticeDays, c.DaysPerWeek),
        new CandidateVetting(c.VettingStatus, c.ApprovedUntil),
        c.RegisteredAt,
        c.UpdatedAt);
}

/// <summary>A page of Matching's pool.</summary>
public sealed record PoolPage(int Total, int Skip, int Take, IReadOnlyList<PoolCandidateView> Items);

public static class PoolEndpoints
{
    private const int MaxPageSize = 200;

    public static IEndpointRouteBuilder MapPoolEndpoints(this IEndpointRouteBuilder app)
    {
        var pool = app.MapGroup("/api/matching/candidates").WithTags("Matching pool");

        pool.MapGet("/{id:guid}", GetAsync)
            .WithName("GetMatchingCandidate")
            .WithSummary("A candidate in Matching's read model")
            .WithDescription("404 until Matching has consumed the candidate's first event, and after the candidate was erased.");

        pool.MapGet("/", ListAsync)
            .WithName("ListMatchingCandidates")
            .WithSummary("Page through Matching's read model of the pool");

        return app;
    }

    internal static async Task<Results<Ok<PoolCandidateView>, NotFound>> GetAsync(Guid id, MatchingDbContext db, CancellationToken cancellationToken)
    {
        var candidate = await db.PoolCandidates.AsNoTracking().FirstOrDefaultAsync(c => c.CandidateId == id && !c.Erased && c.Profile != null, cancellationToken);
        return candidate is null ? TypedResults.NotFound() : TypedResults.Ok(PoolCandidateView.From(candidate));
    }

    internal static async Task<Results<Ok<PoolPage>, ValidationProblem>> ListAsync(MatchingDbContext db, CancellationToken cancellationToken, int skip = 0, int take = 50)
    {
        if (skip < 0 || take is < 1 or > MaxPageSize)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["paging"] = [$"skip must be 0 or more and take between 1 and {MaxPageSize}."],
            });
        }

        var pool = db.PoolCandidates.AsNoTracking().Where(c => !c.Erased && c.Profile != null);
        var total = await pool.CountAsync(cancellationToken);
        var items = await pool.OrderBy(c => c.RegisteredAt).ThenBy(c => c.CandidateId).Skip(skip).Take(take).ToListAsync(cancellationToken);
        return TypedResults.Ok(new PoolPage(total, skip, take, [.. items.Select(PoolCandidateView.From)]));
    }
}
