using InterimPlatform.Matching.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Matching.Pool;

/// <summary>A candidate as Matching knows them.</summary>
public sealed record CandidateProfileResponse(Guid CandidateId, string FullName, string Country, DateTimeOffset RegisteredAt, DateTimeOffset UpdatedAt)
{
    public static CandidateProfileResponse From(CandidateProfile p) => new(p.CandidateId, p.FullName, p.Country, p.RegisteredAt, p.UpdatedAt);
}

/// <summary>A page of Matching's pool.</summary>
public sealed record CandidateProfilePage(int Total, int Skip, int Take, IReadOnlyList<CandidateProfileResponse> Items);

public static class PoolEndpoints
{
    private const int MaxPageSize = 200;

    public static IEndpointRouteBuilder MapPoolEndpoints(this IEndpointRouteBuilder app)
    {
        var pool = app.MapGroup("/api/matching/candidates").WithTags("Matching pool");

        pool.MapGet("/{id:guid}", GetAsync)
            .WithName("GetMatchingCandidate")
            .WithSummary("A candidate in Matching's read model")
            .WithDescription("404 until Matching has consumed the candidate's CandidateRegistered event.");

        pool.MapGet("/", ListAsync)
            .WithName("ListMatchingCandidates")
            .WithSummary("Page through Matching's read model of the pool");

        return app;
    }

    internal static async Task<Results<Ok<CandidateProfileResponse>, NotFound>> GetAsync(Guid id, MatchingDbContext db, CancellationToken cancellationToken)
    {
        var profile = await db.CandidateProfiles.AsNoTracking().FirstOrDefaultAsync(p => p.CandidateId == id, cancellationToken);
        return profile is null ? TypedResults.NotFound() : TypedResults.Ok(CandidateProfileResponse.From(profile));
    }

    internal static async Task<Results<Ok<CandidateProfilePage>, ValidationProblem>> ListAsync(MatchingDbContext db, CancellationToken cancellationToken, int skip = 0, int take = 50)
    {
        if (skip < 0 || take is < 1 or > MaxPageSize)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["paging"] = [$"skip must be 0 or more and take between 1 and {MaxPageSize}."],
            });
        }

        var total = await db.CandidateProfiles.CountAsync(cancellationToken);
        var items = await db.CandidateProfiles.AsNoTracking()
            .OrderBy(p => p.RegisteredAt).ThenBy(p => p.CandidateId)
            .Skip(skip).Take(take)
            .Select(p => CandidateProfileResponse.From(p))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new CandidateProfilePage(total, skip, take, items));
    }
}
