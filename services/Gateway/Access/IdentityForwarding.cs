using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;
using Yarp.ReverseProxy.Transforms;

namespace InterimPlatform.Gateway.Access;

/// <summary>
/// Replaces the caller's credentials with the gateway's word for who they are: a short-lived token signed
/// with the installation's key, carrying the caller's name and roles. Tokens are reused per caller until
/// close to expiry, so signing costs nothing per request.
/// </summary>
public sealed class IdentityForwarding(IConfiguration configuration, TimeProvider timeProvider)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private readonly SymmetricSecurityKey _key = GatewayIdentity.Key(configuration[GatewayIdentity.SigningKeySetting]
        ?? throw new InvalidOperationException($"{GatewayIdentity.SigningKeySetting} is not configured (the AppHost sets GatewayIdentity__SigningKey)."));
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Expires)> _tokens = new(StringComparer.Ordinal);

    public ValueTask ApplyAsync(RequestTransformContext context)
    {
        var headers = context.ProxyRequest.Headers;
        headers.Remove(ApiKeyAuthentication.Header);
        headers.Authorization = null;
        var user = context.HttpContext.User;
        if (user.Identity?.IsAuthenticated == true)
        {
            headers.TryAddWithoutValidation("Authorization", "Bearer " + TokenFor(user));
        }

        return ValueTask.CompletedTask;
    }

    private string TokenFor(ClaimsPrincipal user)
    {
        var name = user.Identity!.Name ?? "unknown";
        var roles = Callers.RolesOf(user);
        var cacheKey = $"{name}|{string.Join(",", roles)}";
        var now = timeProvider.GetUtcNow();
        if (_tokens.TryGetValue(cacheKey, out var cached) && cached.Expires - now > TimeSpan.FromMinutes(1))
        {
            return cached.Token;
        }

        var token = GatewayIdentity.Issue(_key, name, roles, now, Lifetime);
        _tokens[cacheKey] = (token, now + Lifetime);
        return token;
    }
}
