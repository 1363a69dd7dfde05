using System.Data.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace InterimPlatform.Messaging.Idempotency;

/// <summary>Runs a creating request at most once per <c>Idempotency-Key</c>; see <see cref="IdempotencyFilter{TDbContext}"/>.</summary>
public abstract class IdempotencyFilter : IEndpointFilter
{
    public abstract ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next);
}

/// <summary>
/// Carries out a creating request at most once per caller, route and <c>Idempotency-Key</c>, with the service's
/// own database deciding, so it holds across replicas and restarts:
/// <list type="number">
/// <item>the whole request runs in one transaction, which first takes a transaction-level advisory lock on the
/// key (<c>pg_try_advisory_xact_lock</c>): a second request with the key while the first runs, on any replica,
/// does not get the lock and is answered 409 at once;</item>
/// <item>holding the lock, a stored answer for the key is replayed (same body) or refused with 422 (another body);</item>
/// <item>otherwise the endpoint runs (its SaveChanges join the transaction), its answer is captured, and a decided
/// one (below 500) is stored in the same transaction as what the endpoint wrote: both commit, or neither.</item>
/// </list>
/// Nothing marks a key "in flight" but the lock of an open transaction, so a process that dies mid-request leaves no
/// row to block the key: PostgreSQL ends its session, rolls its work back and releases the lock, and the retry runs
/// afresh. A commit whose answer was lost (a 503 with <c>outcome: unknown</c>) either stored the answer with the
/// creation (the retry replays it) or stored neither (the retry runs it): a retry never creates twice.
/// </summary>
internal sealed class IdempotencyFilter<TDbContext>(IOptions<IdempotencyOptions> options, TimeProvider time) : IdempotencyFilter
    where TDbContext : DbContext
{
    public override async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!http.Request.Headers.TryGetValue(IdempotencyKeyHeader.Name, out var values))
        {
            return await next(context).ConfigureAwait(false);
        }

        var (key, error) = IdempotencyKeyHeader.Parse(values);
        if (key is null)
        {
            return TypedResults.Problem(title: $"The {IdempotencyKeyHeader.Name} header is malformed.", detail: error, statusCode: StatusCodes.Status400BadRequest);
        }

        var body = http.Request.Body;
        if (!body.CanSeek)
        {
            throw new InvalidOperationException("The request body was not buffered: call AddIdempotencyKeys on the service's builder.");
        }

        body.Position = 0;
        var request = new KeyedRequest(
            // The caller the gateway vouches for, as CallerIdentity.Actor reads it (ServiceDefaults).
            http.User.Identity?.Name ?? "unknown",
            (http.Request.PathBase + http.Request.Path).Value ?? "",
            key,
            await IdempotencyKeyHeader.FingerprintAsync(body, http.RequestAborted).ConfigureAwait(false));
        var db = http.RequestServices.GetRequiredService<TDbContext>();
        // Under the execution strategy: an attempt whose connection failed before anything could commit runs again
        // whole, on a new connection (the endpoint's own SaveChanges then run inside it, not retried on their own).
        return await db.InUnitOfWorkAsync(ct => OnceAsync(db, request, context, next, ct), http.RequestAborted).ConfigureAwait(false);
    }

    private async Task<IResult> OnceAsync(TDbContext db, KeyedRequest request, EndpointFilterInvocationContext context, EndpointFilterDelegate next, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!await TryLockAsync(db, transaction, request, cancellationToken).ConfigureAwait(false))
        {
            context.HttpContext.Response.Headers.RetryAfter = "1";
            return TypedResults.Problem(
                title: "A request with this Idempotency-Key is still being processed.",
                detail: $"The first request with the key '{request.Key}' has not finished. Retry shortly with the same key and body: you will get its answer.",
                statusCode: StatusCodes.Status409Conflict);
        }

        var now = time.GetUtcNowForStorage();
        var stored = await db.Set<IdempotentRequest>().AsNoTracking()
            .SingleOrDefaultAsync(r => r.Caller == request.Caller && r.Route == request.Route && r.Key == request.Key, cancellationToken)
            .ConfigureAwait(false);
        if (stored is not null && stored.ExpiresAt > now)
        {
            return stored.RequestHash.AsSpan().SequenceEqual(request.Hash)
                ? StoredAnswer.Replay(stored)
                : TypedResults.Problem(
                    title: "This Idempotency-Key was used with a different request.",
                    detail: $"The key '{request.Key}' was first sent on {stored.CreatedAt:u} with another body. A key names one request: send a new key for a new request.",
                    statusCode: StatusCodes.Status422UnprocessableEntity);
        }

        var answer = await CaptureAsync(context, next).ConfigureAwait(false);
        if (answer.StatusCode >= StatusCodes.Status500InternalServerError)
        {
            // Not decided: keep nothing (neither the key nor what the endpoint wrote), so a retry runs again.
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return answer;
        }

        // Raw SQL, not the change tracker: whatever an endpoint left tracked after a refused save must not go out again.
        // A row still here has expired (checked above): the key starts a new life.
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO idempotent_requests (caller, route, key, request_hash, status_code, location, etag, content_type, body, created_at, expires_at)
            VALUES ({request.Caller}, {request.Route}, {request.Key}, {request.Hash}, {answer.StatusCode}, {answer.Location}, {answer.ETag}, {answer.ContentType}, {answer.Body}, {now}, {now + options.Value.KeyLifetime})
            ON CONFLICT (caller, route, key) DO UPDATE SET
                request_hash = excluded.request_hash, status_code = excluded.status_code, location = excluded.location,
                etag = excluded.etag, content_type = excluded.content_type, body = excluded.body,
                created_at = excluded.created_at, expires_at = excluded.expires_at
            """,
            cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return answer;
    }

    private static async Task<bool> TryLockAsync(TDbContext db, IDbContextTransaction transaction, KeyedRequest request, CancellationToken cancellationToken)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction.GetDbTransaction();
        command.CommandText = "SELECT pg_try_advisory_xact_lock(@lock)";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "lock";
        parameter.Value = IdempotencyKeyHeader.LockId(request.Caller, request.Route, request.Key);
        command.Parameters.Add(parameter);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
    }

    /// <summary>
    /// Runs the endpoint and writes its result into memory (status and headers go on the real response as usual),
    /// so the exact answer can be stored before it is sent.
    /// </summary>
    private static async Task<StoredAnswer> CaptureAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var result = await next(context).ConfigureAwait(false);
        var original = http.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        using var buffer = new MemoryStream();
        var capture = new StreamResponseBodyFeature(buffer);
        http.Features.Set<IHttpResponseBodyFeature>(capture);
        try
        {
            // A result that sets no status means 200; an earlier attempt of this request may have set another.
            http.Response.StatusCode = StatusCodes.Status200OK;
            await AsResult(result).ExecuteAsync(http).ConfigureAwait(false);
            await capture.CompleteAsync().ConfigureAwait(false);
        }
        finally
        {
            http.Features.Set(original);
        }

        var headers = http.Response.Headers;
        return new StoredAnswer(
            http.Response.StatusCode,
            headers.Location.Count > 0 ? headers.Location.ToString() : null,
            headers.ETag.Count > 0 ? headers.ETag.ToString() : null,
            http.Response.ContentType,
            buffer.ToArray(),
            replayed: false);
    }

    private static IResult AsResult(object? result) => result switch
    {
        IResult value => value,
        null => TypedResults.Empty,
        string text => TypedResults.Text(text),
        var value => TypedResults.Json<object>(value),
    };

    private sealed record KeyedRequest(string Caller, string Route, string Key, byte[] Hash);
}
