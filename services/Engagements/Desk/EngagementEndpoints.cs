using System.ComponentModel;
using InterimPlatform.Engagements.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using InterimPlatform.Messaging;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Engagements.Desk;

/// <summary>Opens a draft engagement for a client.</summary>
public sealed record DraftEngagementRequest(
    [property: Description("What the client needs, for example \"Interim CFO during ERP migration\".")] string? Title,
    [property: Description("The client organisation.")] string? ClientName);

/// <summary>An engagement as the API shows it.</summary>
public sealed record EngagementResponse(Guid Id, string Title, string ClientName, string State, DateTimeOffset CreatedAt)
{
    public static EngagementResponse From(Engagement e) => new(e.Id, e.Title, e.ClientName, e.State, e.CreatedAt);
}

public static class EngagementEndpoints
{
    public static IEndpointRouteBuilder MapEngagementEndpoints(this IEndpointRouteBuilder app)
    {
        var engagements = app.MapGroup("/api/engagements").WithTags("Engagements");

        engagements.MapPost("/", DraftAsync)
            .WithName("DraftEngagement")
            .WithSummary("Open a draft engagement");

        engagements.MapGet("/{id:guid}", GetAsync)
            .WithName("GetEngagement")
            .WithSummary("Get an engagement by id");

        engagements.MapGet("/", ListAsync)
            .WithName("ListEngagements")
            .WithSummary("The most recent engagements");

        return app;
    }

    internal static async Task<Results<Created<EngagementResponse>, ValidationProblem>> DraftAsync(
        DraftEngagementRequest request, EngagementsDbContext db, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Title) || request.Title.Trim().Length > Engagement.MaxTitleLength)
        {
            errors["title"] = [$"A title of 1 to {Engagement.MaxTitleLength} characters is required."];
        }

        if (string.IsNullOrWhiteSpace(request.ClientName) || request.ClientName.Trim().Length > Engagement.MaxClientNameLength)
        {
            errors["clientName"] = [$"A client name of 1 to {Engagement.MaxClientNameLength} characters is required."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = timeProvider.GetUtcNowForStorage();
        var engagement = new Engagement { Id = Guid.CreateVersion7(now), Title = request.Title!.Trim(), ClientName = request.ClientName!.Trim(), CreatedAt = now };
        db.Engagements.Add(engagement);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/engagements/{engagement.Id}", EngagementResponse.From(engagement));
    }

    internal static async Task<Results<Ok<EngagementResponse>, NotFound>> GetAsync(Guid id, EngagementsDbContext db, CancellationToken cancellationToken)
    {
        var engagement = await db.Engagements.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, cancellationToken);
        return engagement is null ? TypedResults.NotFound() : TypedResults.Ok(EngagementResponse.From(engagement));
    }

    internal static async Task<Ok<List<EngagementResponse>>> ListAsync(EngagementsDbContext db, CancellationToken cancellationToken)
    {
        var engagements = await db.Engagements.AsNoTracking()
            .OrderByDescending(e => e.CreatedAt).Take(100)
            .Select(e => EngagementResponse.From(e))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(engagements);
    }
}
