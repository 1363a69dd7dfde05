using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// How a service knows a request came through the gateway, and who sent it: the gateway authenticates the
/// caller and forwards a short-lived JWT it signs with a per-installation key (<c>GatewayIdentity:SigningKey</c>,
/// set by the AppHost); services accept nothing else. The token carries the caller's name and roles, so
/// audit trails record who did what.
/// </summary>
public static class GatewayIdentity
{
    public const string Scheme = "Gateway";
    public const string Issuer = "interimplatform-gateway";
    public const string Audience = "interimplatform-services";
    public const string SigningKeySetting = "GatewayIdentity:SigningKey";

    /// <summary>The roles of the platform.</summary>
    public static class Roles
    {
        public const string Recruiter = "recruiter";
        public const string Ops = "ops";
        public const string PrivacyOfficer = "privacy-officer";
        public const string Admin = "admin";

        public static readonly IReadOnlyList<string> All = [Recruiter, Ops, PrivacyOfficer, Admin];
    }

    /// <summary>A new random signing key (256 bits, base64).</summary>
    public static string NewSigningKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The HMAC key: the setting's UTF-8 bytes, at least 32 of them.</summary>
    public static SymmetricSecurityKey Key(string signingKey)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(signingKey);
        return bytes.Length < 32
            ? throw new InvalidOperationException($"{SigningKeySetting} must be at least 32 bytes long.")
            : new SymmetricSecurityKey(bytes);
    }

    /// <summary>Signs a token for <paramref name="name"/> with <paramref name="roles"/>, valid for <paramref name="lifetime"/>.</summary>
    public static string Issue(SymmetricSecurityKey key, string name, IEnumerable<string> roles, DateTimeOffset now, TimeSpan lifetime) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime.AddSeconds(-5),
            Expires = (now + lifetime).UtcDateTime,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Name] = name,
                ["role"] = roles.ToArray(),
            },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });

    /// <summary>
    /// A service accepts only requests that carry the gateway's token: every endpoint requires it except
    /// health, liveness and the OpenAPI document. No key configured is a start-up error, never an open door.
    /// </summary>
    public static TBuilder AddGatewayTrust<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var signingKey = builder.Configuration[SigningKeySetting]
            ?? throw new InvalidOperationException($"{SigningKeySetting} is not configured (the AppHost sets GatewayIdentity__SigningKey): a service never runs without knowing its gateway.");
        var key = Key(signingKey);
        builder.Services.AddAuthentication(Scheme).AddJwtBearer(Scheme, options =>
        {
            options.MapInboundClaims = false;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = Issuer,
                ValidAudience = Audience,
                IssuerSigningKey = key,
                NameClaimType = JwtRegisteredClaimNames.Name,
                RoleClaimType = "role",
                ClockSkew = TimeSpan.FromSeconds(5),
            };
            options.Events = new JwtBearerEvents
            {
                // An RFC 9457 problem, like every other refusal, rather than an empty 401.
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                    {
                        HttpContext = context.HttpContext,
                        ProblemDetails = { Status = StatusCodes.Status401Unauthorized, Title = "Only through the gateway", Detail = "This service answers requests the gateway vouches for; call it through the gateway." },
                    });
                },
            };
        });
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser().Build());
        return builder;
    }
}
