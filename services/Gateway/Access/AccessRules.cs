using Microsoft.AspNetCore.Mvc;

namespace InterimPlatform.Gateway.Access;

/// <summary>One rule: requests with one of these methods to paths matching the pattern are for these roles.</summary>
/// <param name="Pattern">Path segments; <c>*</c> matches one segment, a trailing <c>**</c> the rest.</param>
public sealed record AccessRule(string Methods, string Pattern, params string[] Roles)
{
    private readonly string[] _segments = Pattern.Trim('/').Split('/');
    private readonly string[] _methods = Methods.Split(',');

    public bool Matches(string method, string[] path)
    {
        if (Methods != "*" && !_methods.Contains(method, StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }

        for (var i = 0; i < _segments.Length; i++)
        {
            if (_segments[i] == "**")
            {
                return true;
            }

            if (i >= path.Length || (_segments[i] != "*" && !string.Equals(_segments[i], path[i], StringComparison.OrdinalIgnoreCase)))
            {
                return false;
            }
        }

        return path.Length == _segments.Length;
    }
}

/// <summary>
/// Who may do what, for every path under <c>/api</c>; the first matching rule decides, and a path no rule
/// names is refused. Recruiters work on candidates, engagements and rankings; ops read health, KPIs and
/// queues and partner intake tallies; the privacy officer alone exports and erases personal data; admins manage keys and operate queues.
/// </summary>
public static class AccessRules
{
    public const string Recruiter = "recruiter", Ops = "ops", PrivacyOfficer = "privacy-officer", Admin = "admin";

    public static readonly IReadOnlyList<string> Roles = [Recruiter, Ops, PrivacyOfficer, Admin];

    public static readonly IReadOnlyList<AccessRule> Rules =
    [
        new("*", "/api/gateway/keys/**", Admin),
        new("GET", "/api/gateway/audit", Admin, PrivacyOfficer),
        new("GET", "/api/gateway/health", Ops, Admin),
        new("GET", "/api/*/messaging/error-queues/**", Ops, Admin),
        new("POST,DELETE", "/api/*/messaging/error-queues/**", Admin),
        new("GET", "/api/candidates/partner-intake/tallies", Ops, Admin),
        new("GET", "/api/candidates/*/export", PrivacyOfficer),
        new("POST", "/api/candidates/*/erasure", PrivacyOfficer),
        new("*", "/api/candidates/privacy/**", PrivacyOfficer),
        new("GET,POST,PUT,DELETE", "/api/candidates/**", Recruiter),
        new("GET", "/api/engagements/sla/**", Recruiter, Ops),
        new("GET,POST,PUT,DELETE", "/api/engagements/**", Recruiter),
        new("GET", "/api/matching/index", Recruiter, Ops),
        new("GET", "/api/matching/weights", Recruiter, Ops, Admin),
        new("GET,POST", "/api/matching/**", Recruiter),
    ];

    /// <summary>The roles that may make this request; empty when nobody may.</summary>
    public static IReadOnlyList<string> AllowedRoles(string method, PathString path)
    {
        var segments = path.Value!.Trim('/').Split('/');
        return Rules.FirstOrDefault(r => r.Matches(method, segments))?.Roles ?? [];
    }

    /// <summary>Before anything is forwarded: 401 without valid credentials, 403 for a role the path is not for.</summary>
    public static async Task EnforceAsync(HttpContext context, Func<Task> next)
    {
        if (!context.Request.Path.StartsWithSegments("/api"))
        {
            await next();
            return;
        }

        if (context.User.Identity?.IsAuthenticated != true)
        {
            context.Response.Headers.WWWAuthenticate = $"{ApiKeyAuthentication.SchemeName} header=\"{ApiKeyAuthentication.Header}\", Bearer";
            await ProblemAsync(context, StatusCodes.Status401Unauthorized, "Authentication required",
                $"Send an API key in the {ApiKeyAuthentication.Header} header, or a bearer token from the configured identity provider.");
            return;
        }

        var allowed = AllowedRoles(context.Request.Method, context.Request.Path);
        if (!allowed.Intersect(Callers.RolesOf(context.User)).Any())
        {
            await ProblemAsync(context, StatusCodes.Status403Forbidden, "Not allowed for your role",
                allowed.Count == 0 ? "No role may make this request." : $"This request is for: {string.Join(", ", allowed)}.");
            return;
        }

        await next();
    }

    internal static async Task ProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}
