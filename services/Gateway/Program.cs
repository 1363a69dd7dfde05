using System.Diagnostics;
using System.Threading.RateLimiting;
using InterimPlatform.Gateway.Access;
using InterimPlatform.Gateway.Audit;
using InterimPlatform.Gateway.Data;
using InterimPlatform.Gateway.Proxy;
using InterimPlatform.Gateway.Reference;
using InterimPlatform.Messaging;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.ServiceDiscovery;
using Yarp.ReverseProxy.Transforms;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddDbContext<GatewayDbContext>(options => options.UseServiceDatabase(builder.Configuration.GetConnectionString("gatewaydb")
    ?? throw new InvalidOperationException("ConnectionStrings:gatewaydb is not configured (the AppHost sets ConnectionStrings__gatewaydb).")));
// Keys and the audit trail live there: without it the gateway cannot authenticate a caller, so it is not ready.
builder.Services.AddHealthChecks().AddDbContextCheck<GatewayDbContext>("gatewaydb", tags: ["ready"]);
builder.Services.Configure<GatewayOptions>(builder.Configuration.GetSection("Gateway"));
builder.Services.AddSingleton<ApiKeyStore>();
builder.Services.AddSingleton<IdentityForwarding>();
builder.Services.AddSingleton<AuditLog>();
builder.Services.AddHostedService(services => services.GetRequiredService<AuditLog>());
builder.Services.AddMemoryCache();
builder.Services.AddOpenApi("gateway", options => options.AddExamples(new Dictionary<Type, object>
{
    [typeof(KeyRequest)] = new KeyRequest("ats-integration", "recruiter"),
}));

// Callers: an API key (X-Api-Key), or a bearer token from an OpenID Connect issuer when one is configured.
var jwt = builder.Configuration.GetSection("Gateway:Jwt");
var authentication = builder.Services.AddAuthentication("Caller")
    .AddPolicyScheme("Caller", "API key or bearer token", options => options.ForwardDefaultSelector = context =>
        context.Request.Headers.Authorization.FirstOrDefault()?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true && jwt.Exists()
            ? JwtBearerDefaults.AuthenticationScheme
            : ApiKeyAuthentication.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
if (jwt.Exists())
{
    authentication.AddJwtBearer(options =>
    {
        options.Authority = jwt["Authority"];
        options.Audience = jwt["Audience"];
        options.RequireHttpsMetadata = !builder.Environment.IsDevelopment();
        options.TokenValidationParameters.NameClaimType = jwt["NameClaim"] ?? "name";
        options.TokenValidationParameters.RoleClaimType = jwt["RoleClaim"] ?? "roles";
        options.MapInboundClaims = false;
        if (jwt["SigningKey"] is { Length: > 0 } signingKey)
        {
            // An issuer whose key is configured rather than discovered (and the tests' signing key).
            options.TokenValidationParameters.IssuerSigningKey = new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(signingKey));
            options.TokenValidationParameters.ValidIssuer = jwt["Issuer"];
        }
    });
}

builder.Services.AddAuthorization();

// Per caller (key or token subject; address for anonymous): a token bucket, 429 with Retry-After beyond it.
var permitsPerSecond = builder.Configuration.GetValue("Gateway:RateLimit:PermitsPerSecond", 50);
var burst = builder.Configuration.GetValue("Gateway:RateLimit:Burst", 100);
builder.Services.AddRateLimiter(options =>
{
    options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => RateLimitPartition.GetTokenBucketLimiter(
        context.User.Identity?.IsAuthenticated == true ? "caller:" + context.User.Identity.Name : "address:" + context.Connection.RemoteIpAddress,
        _ => new TokenBucketRateLimiterOptions { TokenLimit = burst, TokensPerPeriod = permitsPerSecond, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0, AutoReplenishment = true }));
    options.OnRejected = async (context, cancellationToken) =>
    {
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
        context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await AccessRules.ProblemAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
            $"This caller may make {permitsPerSecond} requests a second (bursts of {burst}); retry after {retryAfter} s.");
    };
});

var corsOrigins = builder.Configuration.GetSection("Gateway:Cors:Origins").Get<string[]>() ?? [];
builder.Services.AddCors(options => options.AddDefaultPolicy(policy => policy
    .WithOrigins(corsOrigins)
    .WithHeaders("Content-Type", "Authorization", ApiKeyAuthentication.Header, "If-Match", "Idempotency-Key", "traceparent")
    .WithMethods("GET", "POST", "PUT", "DELETE")
    .WithExposedHeaders("ETag", "Location", "Retry-After", "X-Correlation-Id", "Idempotent-Replayed")));

builder.Services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    .AddTransforms(context => context.AddRequestTransform(transform => transform.HttpContext.RequestServices.GetRequiredService<IdentityForwarding>().ApplyAsync(transform)));
builder.Services.AddSingleton<IDestinationResolver, ServiceDiscoveryDestinationResolver>();

var app = builder.Build();

await app.MigrateDatabaseAsync<GatewayDbContext>();
await app.Services.GetRequiredService<ApiKeyStore>().SeedAsync(app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.BootstrapKeys, app.Lifetime.ApplicationStopping);

var maxBody = builder.Configuration.GetValue("Gateway:MaxRequestBodyBytes", 1_048_576L);
app.Use(SecurityHeaders.ApplyAsync);
app.Use(async (context, next) =>
{
    // 413 before anything is read: the declared size, and Kestrel's limit for bodies sent without one.
    if (context.Request.ContentLength > maxBody)
    {
        await AccessRules.ProblemAsync(context, StatusCodes.Status413PayloadTooLarge, "Request too large", $"Requests carry at most {maxBody:N0} bytes.");
        return;
    }

    if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
    {
        limit.MaxRequestBodySize = maxBody;
    }

    await next();
});
if (corsOrigins.Length > 0)
{
    app.UseCors();
}

app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseRateLimiter();
app.Use(app.Services.GetRequiredService<AuditLog>().RecordAsync);
app.Use(AccessRules.EnforceAsync);
app.UseAuthorization();

app.MapApiReference();
app.MapKeyEndpoints();
app.MapAuditEndpoints();
app.MapPlatformHealth();
app.MapReverseProxy(proxy =>
{
    proxy.Use(ProxyProblemDetails.WriteProblemOnFailureAsync);
    proxy.UseLoadBalancing();
    // Inside the failover, so passive health checks see every attempt, the refused ones included.
    proxy.Use(ReplicaFailover.RetryRefusedConnectionAsync);
    proxy.UsePassiveHealthChecks();
});

app.Run();

/// <summary>Headers every answer carries: no sniffing, no framing, no referrer; the trace id as a correlation id.</summary>
internal static class SecurityHeaders
{
    private const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'";
    private const string ReferencePolicy = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

    public static Task ApplyAsync(HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/api-reference") ? ReferencePolicy : ApiPolicy;
        if (Activity.Current?.TraceId.ToString() is { } traceId)
        {
            // The W3C trace id: what to quote to ops, and what the dashboard finds the trace by.
            headers["X-Correlation-Id"] = traceId;
        }

        return next();
    }
}
