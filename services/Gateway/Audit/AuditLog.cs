using System.Diagnostics;
using System.Threading.Channels;
using InterimPlatform.Gateway.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Gateway.Audit;

/// <summary>One audited request: who, what, when, and how it ended.</summary>
public sealed class AuditEntry
{
    public long Id { get; init; }

    public DateTimeOffset At { get; init; }

    public required string Actor { get; init; }

    public required string Role { get; init; }

    /// <summary>write, export or erasure.</summary>
    public required string Action { get; init; }

    public required string Method { get; init; }

    public required string Path { get; init; }

    /// <summary>The HTTP status the caller received.</summary>
    public int Status { get; init; }

    public double DurationMs { get; init; }

    public string? CorrelationId { get; init; }
}

/// <summary>
/// Records every write, export and erasure that reaches the gateway with an identity — allowed or refused —
/// after the response is known. Entries are queued and written in batches, so auditing adds no database
/// round trip to a request; the queue is bounded and waits rather than drops when the database lags.
/// </summary>
public sealed class AuditLog(IServiceScopeFactory scopes, TimeProvider timeProvider, ILogger<AuditLog> logger) : BackgroundService
{
    private readonly Channel<AuditEntry> _queue = Channel.CreateBounded<AuditEntry>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.Wait });

    public static string? ActionOf(HttpRequest request) =>
        !request.Path.StartsWithSegments("/api") ? null
        : HttpMethods.IsGet(request.Method) ? (request.Path.Value!.EndsWith("/export", StringComparison.OrdinalIgnoreCase) ? "export" : null)
        : HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) ? null
        : request.Path.Value!.EndsWith("/erasure", StringComparison.OrdinalIgnoreCase) ? "erasure"
        : "write";

    /// <summary>Audits the request once it has been answered.</summary>
    public async Task RecordAsync(HttpContext context, Func<Task> next)
    {
        var action = ActionOf(context.Request);
        if (action is null || context.User.Identity?.IsAuthenticated != true)
        {
            await next();
            return;
        }

        var started = timeProvider.GetTimestamp();
        try
        {
            await next();
        }
        finally
        {
            await _queue.Writer.WriteAsync(new AuditEntry
            {
                At = timeProvider.GetUtcNow(),
                Actor = context.User.Identity.Name ?? "unknown",
                Role = string.Join(",", Access.Callers.RolesOf(context.User)),
                Action = action,
                Method = context.Request.Method,
                Path = context.Request.Path.Value![..Math.Min(context.Request.Path.Value!.Length, 2000)],
                Status = context.Response.StatusCode,
                DurationMs = Math.Round(timeProvider.GetElapsedTime(started).TotalMilliseconds, 2),
                CorrelationId = Activity.Current?.TraceId.ToString(),
            }, CancellationToken.None);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditEntry>(500);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < 500 && _queue.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
            }

            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
                db.AuditEntries.AddRange(batch);
                await db.SaveChangesAsync(CancellationToken.None);
                batch.Clear();
            }
            catch (Exception failure)
            {
                logger.LogError(failure, "Could not write {Count} audit entries; retrying", batch.Count);
                await Task.Delay(TimeSpan.FromSeconds(1), timeProvider, CancellationToken.None);
            }

            if (stoppingToken.IsCancellationRequested && _queue.Reader.Count == 0 && batch.Count == 0)
            {
                return;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Everything already answered is written before the gateway stops.
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }
}

/// <summary>A page of the audit log, newest first.</summary>
public sealed record AuditPage(int Total, int Skip, int Take, IReadOnlyList<AuditEntry> Items);

public static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/gateway/audit", ListAsync).WithTags("Gateway")
            .WithName("ListAuditEntries")
            .WithSummary("The audit log: every write, export and erasure — who, what, when, outcome — newest first");
        return app;
    }

    internal static async Task<Results<Ok<AuditPage>, ValidationProblem>> ListAsync(
        GatewayDbContext db, CancellationToken cancellationToken, string? actor = null, string? action = null, DateTimeOffset? from = null, DateTimeOffset? to = null, int skip = 0, int take = 50)
    {
        if (skip < 0 || take is < 1 or > 500)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["paging"] = ["skip ≥ 0, take 1–500."] });
        }

        var entries = db.AuditEntries.AsNoTracking()
            .Where(e => actor == null || e.Actor == actor)
            .Where(e => action == null || e.Action == action)
            .Where(e => from == null || e.At >= from)
            .Where(e => to == null || e.At < to);
        var total = await entries.CountAsync(cancellationToken);
        var items = await entries.OrderByDescending(e => e.Id).Skip(skip).Take(take).ToListAsync(cancellationToken);
        return TypedResults.Ok(new AuditPage(total, skip, take, items));
    }
}
