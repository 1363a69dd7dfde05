using InterimPlatform.Candidates.Data;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Idempotency;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace InterimPlatform.Candidates.Profiles;

public static class ProfileEndpoints
{
    public static IEndpointRouteBuilder MapProfileEndpoints(this IEndpointRouteBuilder app)
    {
        var candidates = app.MapGroup("/api/candidates").WithTags("Candidates");

        candidates.MapPost("/", RegisterAsync)
            .WithIdempotency()
            .WithName("RegisterCandidate")
            .WithSummary("Register a candidate")
            .WithDescription("Adds a person to the pool (vetting starts at sourced) and publishes CandidateRegistered. The response's ETag is the version to send in If-Match when updating.");

        candidates.MapGet("/{id:guid}", GetAsync)
            .WithName("GetCandidate")
            .WithSummary("A candidate's full profile, vetting and privacy status");

        candidates.MapPut("/{id:guid}", UpdateAsync)
            .WithName("UpdateCandidate")
            .WithSummary("Replace a candidate's profile")
            .WithDescription("Requires If-Match with the ETag last read: two recruiters cannot overwrite each other silently (412 when it changed meanwhile, 428 without If-Match). Publishes CandidateProfileChanged (and CandidateAvailabilityChanged when availability changed).");

        candidates.MapPut("/{id:guid}/availability", UpdateAvailabilityAsync)
            .WithName("UpdateCandidateAvailability")
            .WithSummary("Set when a candidate can start, until when, notice and days per week")
            .WithDescription("If-Match is optional here: availability is often updated on the phone. Publishes CandidateAvailabilityChanged.");

        return app;
    }

    internal static async Task<Results<Created<CandidateView>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        CandidateInput input, CandidatesDbContext db, TimeProvider time, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = CandidateInputRules.Validate(input);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = time.GetUtcNowForStorage();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var candidate = CandidateInputRules.Create(input, now, today);
        try
        {
            var taken = await db.InUnitOfWorkAsync(
                async ct =>
                {
                    await using var transaction = await db.BeginOrJoinTransactionAsync(ct);
                    // A taken e-mail is the user's mistake, not the platform's: looked up first rather than letting
                    // PostgreSQL refuse the insert (which EF logs at Error).
                    if (candidate.Email is { } claimed && await EmailTakenAsync(db, claimed, candidate.Id, ct))
                    {
                        return true;
                    }

                    db.Candidates.Add(candidate);
                    db.VettingEvents.Add(new Vetting.VettingEvent { CandidateId = candidate.Id, From = "", To = candidate.VettingStatus, At = now, By = RequestContext.Actor(http), Reason = "registered" });
                    db.Publish(CandidateContracts.Registered(candidate), candidate.Id, now);
                    await db.SaveChangesAsync(ct);
                    await transaction.CommitAsync(ct);
                    return false;
                },
                cancellationToken);
            if (taken)
            {
                return DuplicateEmail(candidate.Email);
            }
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // The last line of defence, should a writer ever skip EmailTakenAsync.
            return DuplicateEmail(candidate.Email);
        }

        http.Response.Headers.ETag = RequestContext.ETag(candidate.Version);
        return TypedResults.Created($"/api/candidates/{candidate.Id}", CandidateView.From(candidate, today));
    }

    internal static async Task<Results<Ok<CandidateView>, NotFound>> GetAsync(Guid id, CandidatesDbContext db, TimeProvider time, HttpContext http, CancellationToken cancellationToken)
    {
        var candidate = await db.Candidates.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (candidate is null)
        {
            return TypedResults.NotFound();
        }

        http.Response.Headers.ETag = RequestContext.ETag(candidate.Version);
        return TypedResults.Ok(CandidateView.From(candidate, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)));
    }

    internal static async Task<Results<Ok<CandidateView>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, CandidateInput input, CandidatesDbContext db, TimeProvider time, HttpContext http, CancellationToken cancellationToken)
    {
        var (present, version) = RequestContext.IfMatch(http);
        if (!present)
        {
            return TypedResults.Problem(
                title: "If-Match is required.",
                detail: "Send the ETag of the candidate you read in If-Match, so a concurrent change is not overwritten.",
                statusCode: StatusCodes.Status428PreconditionRequired);
        }

        var errors = CandidateInputRules.Validate(input);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var candidate = await db.Candidates.FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (candidate is null)
        {
            return TypedResults.NotFound();
        }

        if (version != candidate.Version)
        {
            return Changed(candidate.Version);
        }

        var now = time.GetUtcNowForStorage();
        var before = CandidateContracts.Availability(candidate);
        var emailBefore = candidate.Email;
        CandidateInputRules.Apply(candidate, input, DateOnly.FromDateTime(now.UtcDateTime));
        candidate.UpdatedAt = now;
        db.Publish(new CandidateProfileChanged(candidate.Id, CandidateContracts.Profile(candidate), now), candidate.Id, now);
        if (CandidateContracts.Availability(candidate) != before)
        {
            db.Publish(new CandidateAvailabilityChanged(candidate.Id, CandidateContracts.Availability(candidate), now), candidate.Id, now);
        }

        if (candidate.Email is not { } email || email == emailBefore)
        {
            return await SaveAsync(db, candidate, http, now, cancellationToken);
        }

        // A new e-mail: looked up and saved in one transaction (see EmailTakenAsync). Under the execution strategy
        // (a transaction of our own needs it); a retry keeps the tracked changes, which only a successful save accepts.
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(
            async ct =>
            {
                await using var transaction = await db.BeginOrJoinTransactionAsync(ct);
                if (await EmailTakenAsync(db, email, candidate.Id, ct))
                {
                    return DuplicateEmail(email);
                }

                var saved = await SaveAsync(db, candidate, http, now, ct);
                if (saved.Result is Ok<CandidateView>)
                {
                    await transaction.CommitAsync(ct);
                }

                return saved;
            },
            cancellationToken);
    }

    /// <summary>
    /// Whether another candidate holds <paramref name="email"/>, asked inside the caller's transaction after taking
    /// a transaction-scoped advisory lock on the address: two requests claiming the same new address at once are
    /// serialised, and the second one's lookup (a new snapshot, read committed) sees the first one's row. So even the
    /// race is answered 409 without PostgreSQL refusing a statement (which EF would log at Error). The unique index
    /// stays as the last line of defence, for partner intake (its own lookup, its own retry).
    /// </summary>
    private static async Task<bool> EmailTakenAsync(CandidatesDbContext db, string email, Guid candidateId, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({EmailLockSpace}, hashtext({email}))", cancellationToken);
        return await db.Candidates.AnyAsync(c => c.Email == email && c.Id != candidateId, cancellationToken);
    }

    /// <summary>The first key of the e-mail advisory locks (the second is the address's hash): any fixed number not used by other locks.</summary>
    private const int EmailLockSpace = 0x0E3A_11;

    internal static async Task<Results<Ok<CandidateView>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateAvailabilityAsync(
        Guid id, AvailabilityInput input, CandidatesDbContext db, TimeProvider time, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = CandidateInputRules.ValidateAvailability(input).ToDictionary(e => e.Field, e => new[] { e.Message });
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
            return Changed(candidate.Version);
        }

        var now = time.GetUtcNowForStorage();
        CandidateInputRules.ApplyAvailability(candidate, input);
        candidate.UpdatedAt = now;
        db.Publish(new CandidateAvailabilityChanged(candidate.Id, CandidateContracts.Availability(candidate), now), candidate.Id, now);
        return await SaveAsync(db, candidate, http, now, cancellationToken);
    }

    /// <summary>Saves with optimistic concurrency: a change committed since the candidate was loaded wins, and the caller is told.</summary>
    internal static async Task<Results<Ok<CandidateView>, NotFound, ValidationProblem, ProblemHttpResult>> SaveAsync(
        CandidatesDbContext db, Candidate candidate, HttpContext http, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Erased meanwhile: gone. Changed meanwhile: 412 to a caller who named a version, 409 otherwise.
            db.ChangeTracker.Clear();
            if (!await db.Candidates.AnyAsync(c => c.Id == candidate.Id, cancellationToken))
            {
                return TypedResults.NotFound();
            }

            return RequestContext.IfMatch(http).Present
                ? Changed(null)
                : TypedResults.Problem(
                    title: "The candidate changed while your request was applied.",
                    detail: "Someone else saved a change at the same moment. Read the candidate again and repeat your change.",
                    statusCode: StatusCodes.Status409Conflict);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return DuplicateEmail(candidate.Email);
        }

        http.Response.Headers.ETag = RequestContext.ETag(candidate.Version);
        return TypedResults.Ok(CandidateView.From(candidate, DateOnly.FromDateTime(now.UtcDateTime)));
    }

    internal static ProblemHttpResult Changed(uint? current) => TypedResults.Problem(
        title: "The candidate changed since you read it.",
        detail: "Someone else saved a change first. Read the candidate again, reapply your change and send the new ETag in If-Match.",
        statusCode: StatusCodes.Status412PreconditionFailed,
        extensions: current is { } v ? new Dictionary<string, object?> { ["currentETag"] = RequestContext.ETag(v) } : null);

    private static ProblemHttpResult DuplicateEmail(string? email) => TypedResults.Problem(
        title: "A candidate with this e-mail is already in the pool.",
        detail: $"The e-mail {email} belongs to another candidate.",
        statusCode: StatusCodes.Status409Conflict);
}
