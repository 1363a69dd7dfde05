using System.ComponentModel;
using System.Text.Json;
using InterimPlatform.Candidates.Data;
using InterimPlatform.Candidates.Placements;
using InterimPlatform.Candidates.Profiles;
using InterimPlatform.Candidates.Vetting;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Outbox;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Candidates.Privacy;

/// <summary>Everything held about one person (GDPR art. 15).</summary>
public sealed record AccessExport(
    DateTimeOffset ExportedAt,
    CandidateView Candidate,
    IReadOnlyList<VettingHistoryEntry> VettingHistory,
    IReadOnlyList<PlacementView> Placements,
    IReadOnlyList<JsonElement> EventsHeld);

/// <param name="Ground">Why the data is erased, for example "art-17-request" or "retention-expired".</param>
public sealed record ErasureRequest([property: Description("Why: art-17-request, consent-withdrawn, retention-expired, partner-withdrawal.")] string? Ground);

public sealed record ErasureView(Guid CandidateId, DateTimeOffset ErasedAt, string ErasedBy, string Ground);

/// <summary>A partner-sourced person still owed the art. 14 notice.</summary>
public sealed record PendingNotice(Guid CandidateId, string FullName, string? Email, string PartnerId, DateTimeOffset RegisteredAt, DateOnly DueBy, bool Overdue);

public sealed record NoticeSent([property: Description("When the notice was sent (default today).")] DateOnly? SentOn);

public static class PrivacyEndpoints
{
    public static readonly IReadOnlyList<string> ErasureGrounds = ["art-17-request", "consent-withdrawn", "retention-expired", "partner-withdrawal", "unlawful-processing"];

    public static IEndpointRouteBuilder MapPrivacyEndpoints(this IEndpointRouteBuilder app)
    {
        var privacy = app.MapGroup("/api/candidates").WithTags("Personal data");

        privacy.MapGet("/{id:guid}/export", ExportAsync)
            .WithName("ExportCandidateData")
            .WithSummary("Everything held about the person, as JSON (GDPR access request)");

        privacy.MapPost("/{id:guid}/erasure", EraseAsync)
            .WithName("EraseCandidate")
            .WithSummary("Erase the person's personal data for good (GDPR art. 17)")
            .WithDescription("Deletes the profile, vetting history, placements and every event held about the person, keeps only the fact of the erasure, and publishes CandidateErased so every other service purges what it holds. Repeating it is harmless.");

        privacy.MapGet("/privacy/partner-notices", PendingNoticesAsync)
            .WithName("ListPendingPartnerNotices")
            .WithSummary("Partner-sourced people not yet sent the notice owed within a month (overdue=true: only late ones)");

        privacy.MapPost("/{id:guid}/privacy/partner-notice", RecordNoticeAsync)
            .WithName("RecordPartnerNotice")
            .WithSummary("Record that the art. 14 notice was sent to a partner-sourced person")
            .WithDescription("409 when no notice is owed: the person gave their data to the agency directly.")
            .ProducesProblem(StatusCodes.Status409Conflict);

        return app;
    }

    internal static async Task<Results<Ok<AccessExport>, NotFound>> ExportAsync(Guid id, CandidatesDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var candidate = await db.Candidates.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (candidate is null)
        {
            return TypedResults.NotFound();
        }

        var history = await VettingEndpoints.HistoryAsync(id, db, cancellationToken);
        var placements = await PlacementEndpoints.PlacementsOfAsync(id, db, cancellationToken);
        var events = await db.Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.AggregateId == id.ToString())
            .OrderBy(m => m.Sequence)
            .Select(m => m.Payload)
            .ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        return TypedResults.Ok(new AccessExport(
            now,
            CandidateView.From(candidate, DateOnly.FromDateTime(now.UtcDateTime)),
            history.Result is Ok<List<VettingHistoryEntry>> ok ? ok.Value! : [],
            placements,
            [.. events.Select(e => JsonDocument.Parse(e).RootElement.Clone())]));
    }

    internal static async Task<Results<Ok<ErasureView>, NotFound, ValidationProblem>> EraseAsync(
        Guid id, ErasureRequest request, CandidatesDbContext db, TimeProvider time, HttpContext http, CancellationToken cancellationToken)
    {
        if (request.Ground is null || !ErasureGrounds.Contains(request.Ground))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["ground"] = [$"One of: {string.Join(", ", ErasureGrounds)}."] });
        }

        if (await db.Erasures.AsNoTracking().FirstOrDefaultAsync(e => e.CandidateId == id, cancellationToken) is { } done)
        {
            return TypedResults.Ok(new ErasureView(done.CandidateId, done.ErasedAt, done.ErasedBy, done.Ground));
        }

        var actor = RequestContext.Actor(http);
        // One unit of work under the execution strategy: an attempt that met a broken connection before its commit
        // runs again whole.
        return await db.InUnitOfWorkAsync(ct => EraseOnceAsync(id, request.Ground, actor, db, time, ct), cancellationToken);
    }

    private static async Task<Results<Ok<ErasureView>, NotFound, ValidationProblem>> EraseOnceAsync(
        Guid id, string ground, string actor, CandidatesDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNowForStorage();
        var record = new ErasureRecord { CandidateId = id, ErasedAt = now, ErasedBy = actor, Ground = ground };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var partner = await db.Candidates.Where(c => c.Id == id && c.PartnerId != null)
            .Select(c => new { c.PartnerId, c.PartnerPersonId })
            .FirstOrDefaultAsync(cancellationToken);
        if (partner is not null)
        {
            // The partner may still send this person: nothing it sent before now may bring them back.
            var tombstone = await db.PartnerTombstones.FindAsync([partner.PartnerId!, partner.PartnerPersonId!], cancellationToken);
            if (tombstone is null)
            {
                db.PartnerTombstones.Add(new PartnerIntake.PartnerTombstone { PartnerId = partner.PartnerId!, PartnerPersonId = partner.PartnerPersonId!, Cutoff = now });
            }
            else
            {
                tombstone.Cutoff = now;
            }
        }

        // The candidate's placements go with the row (foreign key, on delete cascade).
        var erased = await db.Candidates.Where(c => c.Id == id).ExecuteDeleteAsync(cancellationToken);
        if (erased == 0)
        {
            // A concurrent erasure may have just committed: repeating one is harmless.
            await transaction.RollbackAsync(cancellationToken);
            return await db.Erasures.AsNoTracking().FirstOrDefaultAsync(e => e.CandidateId == id, cancellationToken) is { } concurrent
                ? TypedResults.Ok(new ErasureView(concurrent.CandidateId, concurrent.ErasedAt, concurrent.ErasedBy, concurrent.Ground))
                : TypedResults.NotFound();
        }

        await db.VettingEvents.Where(v => v.CandidateId == id).ExecuteDeleteAsync(cancellationToken);
        // Events already sent or still waiting carry the person's data too: only the erasure itself leaves.
        await db.Set<OutboxMessage>().Where(m => m.AggregateId == id.ToString()).ExecuteDeleteAsync(cancellationToken);
        db.Erasures.Add(record);
        db.Publish(new CandidateErased(id, now), id, now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new ErasureView(id, now, record.ErasedBy, record.Ground));
    }

    internal static async Task<Ok<List<PendingNotice>>> PendingNoticesAsync(CandidatesDbContext db, TimeProvider time, CancellationToken cancellationToken, bool overdue = false)
    {
        var now = time.GetUtcNow();
        var dueBefore = now.AddMonths(-1);
        var query = db.Candidates.AsNoTracking().Where(c => c.PartnerId != null && c.PartnerNoticeSentOn == null);
        if (overdue)
        {
            query = query.Where(c => c.RegisteredAt < dueBefore);
        }

        var pending = await query.OrderBy(c => c.RegisteredAt).Take(1000)
            .Select(c => new { c.Id, c.FullName, c.Email, c.PartnerId, c.RegisteredAt })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(pending.Select(c => new PendingNotice(
            c.Id, c.FullName, c.Email, c.PartnerId!, c.RegisteredAt,
            DateOnly.FromDateTime(c.RegisteredAt.AddMonths(1).UtcDateTime),
            c.RegisteredAt < dueBefore)).ToList());
    }

    internal static async Task<Results<NoContent, NotFound, ProblemHttpResult>> RecordNoticeAsync(Guid id, NoticeSent request, CandidatesDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var candidate = await db.Candidates.FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (candidate is null)
        {
            return TypedResults.NotFound();
        }

        if (candidate.PartnerId is null)
        {
            return TypedResults.Problem(title: "No notice is owed.", detail: "The person gave their data to the agency directly.", statusCode: StatusCodes.Status409Conflict);
        }

        candidate.PartnerNoticeSentOn = request.SentOn ?? DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        candidate.UpdatedAt = time.GetUtcNowForStorage();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
