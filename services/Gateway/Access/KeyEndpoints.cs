using InterimPlatform.Gateway.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Gateway.Access;

/// <summary>A new API key for a person or an integration.</summary>
/// <param name="Role">recruiter, ops, privacy-officer or admin.</param>
public sealed record KeyRequest(string? Name, string? Role);

/// <summary>A key as listed: never its secret.</summary>
public sealed record KeyView(string Id, string Name, string Role, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RevokedAt)
{
    public static KeyView From(ApiKey k) => new(k.Id, k.Name, k.Role, k.CreatedAt, k.CreatedBy, k.RevokedAt);
}

/// <summary>A key just created: <see cref="Key"/> is shown this once and cannot be recovered.</summary>
public sealed record CreatedKey(string Id, string Name, string Role, string Key, DateTimeOffset CreatedAt);

public static class KeyEndpoints
{
    public static IEndpointRouteBuilder MapKeyEndpoints(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/gateway/keys").WithTags("Gateway");
        keys.MapPost("/", CreateAsync).WithName("CreateApiKey").WithSummary("Create an API key (admin); the key is in the answer, once");
        keys.MapGet("/", async (GatewayDbContext db, CancellationToken ct) => TypedResults.Ok((await db.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ToListAsync(ct)).Select(KeyView.From).ToList()))
            .WithName("ListApiKeys").WithSummary("Every API key, with role and whether revoked (admin)");
        keys.MapDelete("/{id}", RevokeAsync).WithName("RevokeApiKey").WithSummary("Revoke an API key (admin): refused from the next request on");
        return app;
    }

    internal static async Task<Results<Created<CreatedKey>, ValidationProblem>> CreateAsync(
        KeyRequest request, HttpContext http, GatewayDbContext db, ApiKeyStore store, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > 100)
        {
            errors["name"] = ["Who or what the key is for, 1 to 100 characters."];
        }

        if (request.Role is null || !AccessRules.Roles.Contains(request.Role))
        {
            errors["role"] = [$"One of: {string.Join(", ", AccessRules.Roles)}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var (record, key) = ApiKeyStore.Create(request.Name!.Trim(), request.Role!, http.User.Identity?.Name ?? "unknown", timeProvider.GetUtcNow());
        db.ApiKeys.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        await store.ReloadAsync(cancellationToken);
        return TypedResults.Created($"/api/gateway/keys/{record.Id}", new CreatedKey(record.Id, record.Name, record.Role, key, record.CreatedAt));
    }

    internal static async Task<Results<NoContent, NotFound>> RevokeAsync(string id, GatewayDbContext db, ApiKeyStore store, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, cancellationToken) is not { } key)
        {
            return TypedResults.NotFound();
        }

        key.RevokedAt ??= timeProvider.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await store.ReloadAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
