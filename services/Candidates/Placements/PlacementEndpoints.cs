using InterimPlatform.Candidates.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Candidates.Placements;

/// <summary>A placement of the candidate, as Engagements announced it.</summary>
/// <param name="FirstDay">Null until the placement itself was announced (its end or completion may arrive first).</param>
/// <param name="LastDay">Last day of the contract (inclusive).</param>
/// <param name="EndedOn">When it ended (completed, replaced or cancelled).</param>
/// <param name="AvailableFromBefore">The candidate's availableFrom before the placement took it, which an early end gives back.</param>
/// <param name="AvailableFromSetTo">The availableFrom the placement set; null when it set none or gave it back.</param>
/// <param name="CompletedAt">When the assignment was completed and added to the track record.</param>
public sealed record PlacementView(
    Guid PlacementId,
    Guid EngagementId,
    DateOnly? FirstDay,
    DateOnly? LastDay,
    DateOnly? EndedOn,
    DateOnly? AvailableFromBefore,
    DateOnly? AvailableFromSetTo,
    DateTimeOffset? CompletedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public static class PlacementEndpoints
{
    public static IEndpointRouteBuilder MapPlacementEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/candidates").WithTags("Placements")
            .MapGet("/{id:guid}/placements", ListAsync)
            .WithName("ListCandidatePlacements")
            .WithSummary("The candidate's placements, as Engagements announced them")
            .WithDescription("While a placement takes the person, their availableFrom is the day after it; an early end gives back what they had before. A completed assignment is in the track record.");

        return app;
    }

    internal static async Task<Results<Ok<List<PlacementView>>, NotFound>> ListAsync(Guid id, CandidatesDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Candidates.AnyAsync(c => c.Id == id, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(await PlacementsOfAsync(id, db, cancellationToken));
    }

    internal static Task<List<PlacementView>> PlacementsOfAsync(Guid candidateId, CandidatesDbContext db, CancellationToken cancellationToken) =>
        db.Placements.AsNoTracking()
            .Where(p => p.CandidateId == candidateId)
            .OrderBy(p => p.FirstDay).ThenBy(p => p.CreatedAt).ThenBy(p => p.PlacementId)
            .Select(p => new PlacementView(p.PlacementId, p.EngagementId, p.FirstDay, p.LastDay, p.EndedOn, p.AvailableFromBefore, p.AvailableFromSetTo, p.CompletedAt, p.CreatedAt, p.UpdatedAt))
            .ToListAsync(cancellationToken);
}
