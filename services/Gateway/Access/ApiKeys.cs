using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using InterimPlatform.Gateway.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace InterimPlatform.Gateway.Access;

/// <summary>An API key as stored: never the key itself, only its id and hash.</summary>
public sealed class ApiKey
{
    /// <summary>The middle part of the key (<c>ipk.&lt;id&gt;.&lt;secret&gt;</c>): public, names the key in logs and audit.</summary>
    public required string Id { get; init; }

    public required string Name { get; set; }

    public required string Role { get; set; }

    /// <summary>SHA-256 of the whole key, lower-case hex.</summary>
    public required string Hash { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public required string CreatedBy { get; init; }

    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>A key the AppHost created for development (<c>Gateway:BootstrapKeys</c>): name, role, and "id:sha256".</summary>
public sealed class BootstrapKey
{
    public string Name { get; set; } = "";

    public string Role { get; set; } = "";

    public string Key { get; set; } = "";
}

public sealed class GatewayOptions
{
    public List<BootstrapKey> BootstrapKeys { get; set; } = [];
}

/// <summary>
/// The valid keys, held in memory (a lookup per request must not cost a database round trip) and reloaded
/// from the database whenever a key is created or revoked here, and every 30 seconds for other instances.
/// </summary>
public sealed class ApiKeyStore(IServiceScopeFactory scopes, TimeProvider timeProvider, ILogger<ApiKeyStore> logger)
{
    public const string Prefix = "ipk";

    private volatile IReadOnlyDictionary<string, ApiKey> _keys = new Dictionary<string, ApiKey>();
    private long _loadedAt;

    /// <summary>The key's record when <paramref name="presented"/> is a valid, unrevoked key; null otherwise.</summary>
    public async ValueTask<ApiKey?> FindAsync(string presented, CancellationToken cancellationToken)
    {
        var parts = presented.Split('.');
        if (parts is not [Prefix, { Length: > 0 and <= 64 } id, { Length: >= 20 and <= 200 }])
        {
            return null;
        }

        if (timeProvider.GetElapsedTime(Interlocked.Read(ref _loadedAt)) > TimeSpan.FromSeconds(30))
        {
            await ReloadAsync(cancellationToken);
        }

        if (!_keys.TryGetValue(id, out var key) || key.RevokedAt is not null)
        {
            return null;
        }

        var hash = Convert.FromHexString(key.Hash);
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), hash) ? key : null;
    }

    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        _keys = await db.ApiKeys.AsNoTracking().ToDictionaryAsync(k => k.Id, StringComparer.Ordinal, cancellationToken);
        Interlocked.Exchange(ref _loadedAt, timeProvider.GetTimestamp());
    }

    /// <summary>Stores the AppHost's development keys (hashes only) so they work from the first request.</summary>
    public async Task SeedAsync(IEnumerable<BootstrapKey> keys, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDbContext>();
        foreach (var bootstrap in keys)
        {
            if (bootstrap.Key.Split(':') is not [{ Length: > 0 } id, { Length: 64 } hash] || !AccessRules.Roles.Contains(bootstrap.Role))
            {
                logger.LogWarning("Ignoring bootstrap key {Name}: expected \"id:sha256\" and a known role", bootstrap.Name);
                continue;
            }

            if (!await db.ApiKeys.AnyAsync(k => k.Id == id, cancellationToken))
            {
                db.ApiKeys.Add(new ApiKey { Id = id, Name = bootstrap.Name, Role = bootstrap.Role, Hash = hash, CreatedAt = timeProvider.GetUtcNow(), CreatedBy = "apphost" });
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await ReloadAsync(cancellationToken);
    }

    /// <summary>A new key: returns its record and the key itself, which is shown once and never stored.</summary>
    public static (ApiKey Record, string Key) Create(string name, string role, string createdBy, DateTimeOffset now)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var key = $"{Prefix}.{id}.{Base64Url(RandomNumberGenerator.GetBytes(30))}";
        return (new ApiKey { Id = id, Name = name, Role = role, Hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), CreatedAt = now, CreatedBy = createdBy }, key);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>Authenticates <c>X-Api-Key</c>: the key's name becomes the caller's name, its role the caller's role.</summary>
public sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyStore keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    private static readonly ConcurrentDictionary<string, ClaimsPrincipal> Principals = new(StringComparer.Ordinal);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values) || values.FirstOrDefault() is not { Length: > 0 } presented)
        {
            return AuthenticateResult.NoResult();
        }

        var key = await keys.FindAsync(presented, Context.RequestAborted);
        if (key is null)
        {
            return AuthenticateResult.Fail("Unknown or revoked API key.");
        }

        // One principal per key and role: built once, not per request.
        var principal = Principals.GetOrAdd($"{key.Id}|{key.Role}|{key.Name}", _ => new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, $"key:{key.Name}"), new Claim(ClaimTypes.Role, key.Role), new Claim("key_id", key.Id)],
            SchemeName)));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}
