using System.ComponentModel;
using InterimPlatform.Candidates.Data;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Messaging.Outbox;
using Microsoft.AspNetCore.Http.HttpResults;
using InterimPlatform.Messaging;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace InterimPlatform.Candidates.Pool;

/// <summary>Registers a candidate in the pool.</summary>
/// <param name="FullName">Name as the person uses it professionally.</param>
/// <param name="Email">Contact e-mail; unique in the pool.</param>
/// <param name="Country">ISO 3166-1 alpha-2 country of residence, for example "SE" or "NO".</param>
/// <param name="Summary">A short executive summary.</param>
public sealed record RegisterCandidateRequest(
    [property: Description("Name as the person uses it professionally.")] string? FullName,
    [property: Description("Contact e-mail; unique in the pool.")] string? Email,
    [property: Description("ISO 3166-1 alpha-2 country of residence, for example SE or NO.")] string? Country,
    [property: Description("A short executive summary.")] string? Summary);

/// <summary>A candidate as the API shows it.</summary>
public sealed record CandidateResponse(Guid Id, string FullName, string Email, string Country, string? Summary, DateTimeOffset RegisteredAt)
{
    public static CandidateResponse From(Candidate c) => new(c.Id, c.FullName, c.Email, c.Country, c.Summary, c.RegisteredAt);
}

public static class CandidateEndpoints
{
    public static IEndpointRouteBuilder MapCandidateEndpoints(this IEndpointRouteBuilder app)
    {
        var candidates = app.MapGroup("/api/candidates").WithTags("Candidates");

        candidates.MapPost("/", RegisterAsync)
            .WithName("RegisterCandidate")
            .WithSummary("Register a candidate")
            .WithDescription("Adds a person to the pool and publishes CandidateRegistered (through the outbox, in the same transaction).");

        candidates.MapGet("/{id:guid}", GetAsync)
            .WithName("GetCandidate")
            .WithSummary("Get a candidate by id");

        return app;
    }

    internal static async Task<Results<Created<CandidateResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        RegisterCandidateRequest request,
        CandidatesDbContext db,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        var errors = Validate(request);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = timeProvider.GetUtcNowForStorage();
        var candidate = new Candidate
        {
            Id = Guid.CreateVersion7(now),
            FullName = request.FullName!.Trim(),
            Email = request.Email!.Trim().ToLowerInvariant(),
            Country = request.Country!.Trim().ToUpperInvariant(),
            Summary = string.IsNullOrWhiteSpace(request.Summary) ? null : request.Summary.Trim(),
            RegisteredAt = now,
        };
        db.Candidates.Add(candidate);
        db.Set<OutboxMessage>().Add(OutboxMessage.Create(
            new CandidateRegistered(candidate.Id, candidate.FullName, candidate.Country, candidate.RegisteredAt),
            candidate.Id.ToString(),
            now));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return TypedResults.Problem(
                title: "A candidate with this e-mail is already in the pool.",
                detail: $"The e-mail {candidate.Email} belongs to another candidate.",
                statusCode: StatusCodes.Status409Conflict);
        }

        return TypedResults.Created($"/api/candidates/{candidate.Id}", CandidateResponse.From(candidate));
    }

    internal static async Task<Results<Ok<CandidateResponse>, NotFound>> GetAsync(Guid id, CandidatesDbContext db, CancellationToken cancellationToken)
    {
        var candidate = await db.Candidates.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        return candidate is null ? TypedResults.NotFound() : TypedResults.Ok(CandidateResponse.From(candidate));
    }

    internal static Dictionary<string, string[]> Validate(RegisterCandidateRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.FullName))
        {
            errors["fullName"] = ["A name is required."];
        }
        else if (request.FullName.Trim().Length > Candidate.MaxNameLength)
        {
            errors["fullName"] = [$"At most {Candidate.MaxNameLength} characters."];
        }

        if (string.IsNullOrWhiteSpace(request.Email))
        {
            errors["email"] = ["An e-mail address is required."];
        }
        else if (request.Email.Trim().Length > Candidate.MaxEmailLength || !System.Net.Mail.MailAddress.TryCreate(request.Email.Trim(), out _))
        {
            errors["email"] = ["Not a valid e-mail address."];
        }

        if (string.IsNullOrWhiteSpace(request.Country) || request.Country.Trim().Length != 2 || !request.Country.Trim().All(char.IsAsciiLetter))
        {
            errors["country"] = ["A two-letter ISO 3166-1 country code is required, for example SE."];
        }

        if (request.Summary is { Length: > Candidate.MaxSummaryLength })
        {
            errors["summary"] = [$"At most {Candidate.MaxSummaryLength} characters."];
        }

        return errors;
    }
}
