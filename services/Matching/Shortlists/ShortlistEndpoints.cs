using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Matching.Data;
using InterimPlatform.Matching.Ranking;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Idempotency;
using InterimPlatform.Messaging.Outbox;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Matching.Shortlists;

/// <summary>Rank the pool against a brief.</summary>
/// <param name="Brief">What the client asks for.</param>
/// <param name="Top">How many candidates to return (1–200).</param>
/// <param name="ExcludedCandidateIds">Never shortlist these (for example the interim being replaced).</param>
/// <param name="IncludeCandidatesInVetting">Also rank candidates still in vetting or due for re-vetting, flagged.</param>
/// <param name="EngagementId">The engagement this is for, if any: its own placement does not count as "placed elsewhere".</param>
public sealed record RankingRequestBody(
    MatchBrief Brief,
    int Top = 20,
    IReadOnlyList<Guid>? ExcludedCandidateIds = null,
    bool IncludeCandidatesInVetting = false,
    Guid? EngagementId = null);

/// <summary>A recruiter pins a candidate to a shortlist (adding them if Matching did not rank them) or removes one.</summary>
/// <param name="Action">pin or remove.</param>
/// <param name="Reason">Why: kept in the shortlist's audit trail.</param>
public sealed record OverrideRequest(Guid CandidateId, string Action, string Reason);

/// <summary>The state of this replica's in-memory ranking index.</summary>
/// <param name="Candidates">Candidates in the index now.</param>
/// <param name="Terms">Distinct interned terms (skills, industries, countries …).</param>
/// <param name="LoadedAtStart">Candidates the load at start indexed.</param>
/// <param name="LoadMilliseconds">How long that load took.</param>
/// <param name="LoadedAt">When it finished.</param>
/// <param name="WeightsVersion">The ranking weights in force.</param>
/// <param name="FollowingChanges">Whether the index hears of every committed change to the pool now, whichever replica made it; false while its database connection is being re-established.</param>
/// <param name="NotFollowingSince">When it stopped hearing of changes; null while it follows them.</param>
/// <param name="Reconciliations">How often the whole pool was reloaded after the connection came back.</param>
/// <param name="LastReconciledAt">When the last reconciliation finished; null if there was none.</param>
/// <param name="IdsDigest">An order-independent digest of the indexed candidate ids (see <see cref="Digest"/>): equal digests on two replicas, or against the pool's ids, mean the same candidates, not just as many.</param>
public sealed record IndexView(
    int Candidates,
    int Terms,
    int LoadedAtStart,
    long LoadMilliseconds,
    DateTimeOffset? LoadedAt,
    string WeightsVersion,
    bool FollowingChanges,
    DateTimeOffset? NotFollowingSince,
    int Reconciliations,
    DateTimeOffset? LastReconciledAt,
    string IdsDigest)
{
    public static IndexView Of(CandidateIndex index, IndexState state) => new(
        index.Count, index.Terms.Count, state.Loaded, state.LoadMilliseconds, state.LoadedAt, index.Weights.Version,
        state.FollowingChanges, state.NotFollowingSince, state.Reconciliations, state.LastReconciledAt, Digest(index.Ids()));

    /// <summary>
    /// The sum (modulo 2^64) over the ids of (first 8 bytes × 0x9E3779B97F4A7C15) XOR last 8 bytes, each half read
    /// little-endian from <see cref="Guid.ToByteArray()"/>, as 16 hex digits: cheap, and independent of order.
    /// </summary>
    public static string Digest(IEnumerable<Guid> ids)
    {
        var sum = 0UL;
        Span<byte> bytes = stackalloc byte[16];
        foreach (var id in ids)
        {
            id.TryWriteBytes(bytes);
            sum += unchecked((BitConverter.ToUInt64(bytes[..8]) * 0x9E3779B97F4A7C15UL) ^ BitConverter.ToUInt64(bytes[8..]));
        }

        return sum.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }
}

public static class ShortlistEndpoints
{
    private const int MaxPageSize = 200;

    public static IEndpointRouteBuilder MapShortlistEndpoints(this IEndpointRouteBuilder app)
    {
        var matching = app.MapGroup("/api/matching").WithTags("Ranking and shortlists");

        matching.MapPost("/rankings", RankAsync)
            .WithIdempotency()
            .WithName("RankPool")
            .WithSummary("Rank the whole pool against a brief")
            .WithDescription("Returns the top N eligible candidates, each with a per-criterion breakdown and its evidence, and how many candidates each hard filter removed. The ranking is stored as an ad-hoc shortlist (201, Location) with its inputs and weights for the audit trail. Rules: docs/matching.md.");

        matching.MapGet("/shortlists", ListAsync)
            .WithName("ListShortlists")
            .WithSummary("Stored shortlists, newest first, optionally for one engagement");

        matching.MapGet("/shortlists/{id:guid}", GetAsync)
            .WithName("GetShortlist")
            .WithSummary("A stored shortlist with the recruiters' overrides applied")
            .WithDescription("Pinned candidates come first, removed ones are left out; the overrides are listed with who, when and why.");

        matching.MapGet("/shortlists/{id:guid}/audit", AuditAsync)
            .WithName("GetShortlistAudit")
            .WithSummary("Everything needed to account for a shortlist")
            .WithDescription("The brief and other inputs, the weights version and values, what the hard filters removed, the candidates exactly as ranked with their explanations, and every override in order. Personal fields of erased candidates are gone; their scores remain.");

        matching.MapPost("/shortlists/{id:guid}/overrides", OverrideAsync)
            .WithIdempotency()
            .WithName("OverrideShortlist")
            .WithSummary("Pin or remove a candidate on a shortlist, with a reason")
            .WithDescription("Pinning a candidate Matching did not rank adds them, with their assessment against the brief (including the filter that would have removed them). The latest override per candidate is in force.");

        matching.MapGet("/weights", (CandidateIndex index) => TypedResults.Ok(index.Weights))
            .WithName("GetRankingWeights")
            .WithSummary("The ranking weights in force, with their version");

        matching.MapGet("/index", (CandidateIndex index, IndexStatus status) => TypedResults.Ok(IndexView.Of(index, status.Current)))
            .WithName("GetRankingIndex")
            .WithSummary("How many candidates this replica's in-memory index holds, how long its rebuild at start took, and whether it follows the pool's changes")
            .WithDescription("Each replica has its own index and answers for it. Every committed change to the pool reaches every replica's index (PostgreSQL LISTEN/NOTIFY); after a lost database connection the replica reloads the whole pool (a reconciliation). Details: docs/matching.md.");

        return app;
    }

    internal static async Task<Results<Created<ShortlistView>, ValidationProblem>> RankAsync(
        RankingRequestBody request, HttpContext http, Shortlisting shortlisting, MatchingDbContext db, CancellationToken cancellationToken)
    {
        var errors = MatchBriefRules.Validate(request.Brief, request.Top, request.ExcludedCandidateIds);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var shortlist = shortlisting.Produce(
            MatchBriefRules.Normalise(request.Brief),
            request.Top,
            request.ExcludedCandidateIds ?? [],
            request.IncludeCandidatesInVetting,
            request.EngagementId,
            requestId: null,
            CallerIdentity.Actor(http));
        // One unit of work under the execution strategy: an attempt that met a broken connection before its commit
        // runs again whole (dropping the erased again finds what the failed attempt dropped already gone).
        await db.InUnitOfWorkAsync(
            async ct =>
            {
                await using var transaction = await db.BeginOrJoinTransactionAsync(ct);
                await Shortlisting.DropErasedAsync(db, shortlist, ct);
                db.Shortlists.Add(shortlist);
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
                return true;
            },
            cancellationToken);
        return TypedResults.Created($"/api/matching/shortlists/{shortlist.Id}", ShortlistViews.View(shortlist));
    }

    internal static async Task<Results<Ok<ShortlistPage>, ValidationProblem>> ListAsync(
        MatchingDbContext db, CancellationToken cancellationToken, Guid? engagementId = null, int skip = 0, int take = 50)
    {
        if (skip < 0 || take is < 1 or > MaxPageSize)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["paging"] = [$"skip must be 0 or more and take between 1 and {MaxPageSize}."],
            });
        }

        var shortlists = db.Shortlists.AsNoTracking().Where(s => engagementId == null || s.EngagementId == engagementId);
        var total = await shortlists.CountAsync(cancellationToken);
        var page = await shortlists
            .OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id)
            .Skip(skip).Take(take)
            .Select(s => new ShortlistSummary(s.Id, s.Kind, s.EngagementId, s.CreatedAt, s.RequestedBy, s.WeightsVersion, s.Entries.Count(e => e.Rank != null), s.Overrides.Count))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new ShortlistPage(total, skip, take, page));
    }

    internal static async Task<Results<Ok<ShortlistView>, NotFound>> GetAsync(Guid id, MatchingDbContext db, CancellationToken cancellationToken) =>
        await LoadAsync(db, id, cancellationToken) is { } shortlist ? TypedResults.Ok(ShortlistViews.View(shortlist)) : TypedResults.NotFound();

    internal static async Task<Results<Ok<ShortlistAudit>, NotFound>> AuditAsync(Guid id, MatchingDbContext db, CancellationToken cancellationToken) =>
        await LoadAsync(db, id, cancellationToken) is { } shortlist ? TypedResults.Ok(ShortlistViews.Audit(shortlist)) : TypedResults.NotFound();

    internal static async Task<Results<Created<OverrideView>, NotFound, ValidationProblem, ProblemHttpResult>> OverrideAsync(
        Guid id, OverrideRequest request, HttpContext http, Shortlisting shortlisting, MatchingDbContext db, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Action is not (ShortlistOverride.Pin or ShortlistOverride.Remove))
        {
            errors["action"] = ["pin or remove."];
        }

        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > 1000)
        {
            errors["reason"] = ["Required: why (1 to 1,000 characters); it is kept in the audit trail."];
        }

        if (request.CandidateId == Guid.Empty)
        {
            errors["candidateId"] = ["Required."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await db.Shortlists.AsNoTracking().Include(s => s.Entries.Where(e => e.CandidateId == request.CandidateId)).FirstOrDefaultAsync(s => s.Id == id, cancellationToken) is not { } shortlist)
        {
            return TypedResults.NotFound();
        }

        if (shortlist.Entries.Count == 0)
        {
            if (request.Action == ShortlistOverride.Remove)
            {
                return Problem(StatusCodes.Status422UnprocessableEntity, "Not on this shortlist", $"Candidate {request.CandidateId} is not on shortlist {id}; there is nothing to remove.");
            }

            if (shortlisting.AssessForPin(shortlist, request.CandidateId) is not { } added)
            {
                return Problem(StatusCodes.Status422UnprocessableEntity, "Not in the pool", $"Candidate {request.CandidateId} is not in Matching's pool (unknown, not yet synchronised, or erased).");
            }

            db.ShortlistEntries.Add(added);
        }

        var now = timeProvider.GetUtcNowForStorage();
        var decision = new ShortlistOverride
        {
            Id = SequentialGuid.Next(now),
            ShortlistId = id,
            CandidateId = request.CandidateId,
            Action = request.Action,
            Reason = request.Reason.Trim(),
            Actor = CallerIdentity.Actor(http),
            At = now,
        };
        db.ShortlistOverrides.Add(decision);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (shortlist.Entries.Count == 0)
        {
            return Problem(StatusCodes.Status409Conflict, "Added at the same time", $"Candidate {request.CandidateId} was added to shortlist {id} by another request just now; retry to record your override.");
        }

        return TypedResults.Created($"/api/matching/shortlists/{id}", ShortlistViews.Override(decision));
    }

    private static Task<Shortlist?> LoadAsync(MatchingDbContext db, Guid id, CancellationToken cancellationToken) =>
        db.Shortlists.AsNoTracking().Include(s => s.Entries).Include(s => s.Overrides).AsSplitQuery().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
