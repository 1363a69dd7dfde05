using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace InterimPlatform.Dashboard.Hosting;

/// <summary>
/// Who may see the dashboard: whoever has the login token printed by the AppHost. The token is exchanged
/// for a cookie (HttpOnly, SameSite=Strict) whose value is derived from it, so a cookie from an earlier
/// run — another token — is worthless. Pages without the cookie redirect to <c>/login</c>; anything else
/// is answered 401. OTLP is served only on its own ports (it has its own API key); the UI only on its port.
/// </summary>
internal sealed class DashboardAccess(DashboardOptions options)
{
    public const string LoginPath = "/login";
    public const string LogoutPath = "/logout";
    public const string TokenQuery = "t";
    public const string TokenField = "token";

    private readonly byte[] _token = Encoding.UTF8.GetBytes(options.LoginToken);

    // The cookie holds a proof of the token, not the token: the token stays in the terminal only.
    private readonly string _sessionProof = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.LoginToken), "interim-dashboard-session"u8));

    /// <summary>Cookies ignore ports: two dashboards on localhost must not overwrite each other's.</summary>
    public string CookieName { get; } = $"interim-dashboard-{options.Port}";

    public bool IsValidToken(string? candidate) =>
        candidate is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _token);

    public bool IsSignedIn(HttpContext context) =>
        context.Request.Cookies.TryGetValue(CookieName, out var value) &&
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(value ?? ""), Encoding.UTF8.GetBytes(_sessionProof));

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path;
        var local = context.Connection.LocalPort;
        if (local == options.OtlpGrpcPort || local == options.OtlpHttpPort)
        {
            if (IsOtlpPath(path))
            {
                await next(context).ConfigureAwait(false);
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            }

            return;
        }

        if (IsOtlpPath(path))
        {
            // Telemetry is accepted only on the OTLP ports, where the API key is checked.
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (path.Equals(LoginPath, StringComparison.OrdinalIgnoreCase))
        {
            if (await TryLoginAsync(context).ConfigureAwait(false))
            {
                return;
            }

            await next(context).ConfigureAwait(false);
            return;
        }

        if (path.Equals(LogoutPath, StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Cookies.Delete(CookieName, CookieOptions());
            context.Response.Redirect(LoginPath);
            return;
        }

        if (IsPublicAsset(path) || IsSignedIn(context))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        if (IsPageRequest(context.Request))
        {
            var returnUrl = context.Request.Path + context.Request.QueryString;
            context.Response.Redirect($"{LoginPath}?returnUrl={Uri.EscapeDataString(returnUrl)}");
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        }
    }

    /// <summary>The link's token (GET /login?t=…) or the form's (POST /login); true when the request was answered.</summary>
    private async Task<bool> TryLoginAsync(HttpContext context)
    {
        string? token;
        string? returnUrl = context.Request.Query["returnUrl"];
        if (HttpMethods.IsPost(context.Request.Method) && context.Request.HasFormContentType)
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            token = form[TokenField];
            returnUrl = form["returnUrl"];
        }
        else if (context.Request.Query.ContainsKey(TokenQuery))
        {
            token = context.Request.Query[TokenQuery];
        }
        else
        {
            return false; // the login page itself
        }

        if (!IsValidToken(token?.Trim()))
        {
            context.Response.Redirect($"{LoginPath}?error=invalid");
            return true;
        }

        context.Response.Cookies.Append(CookieName, _sessionProof, CookieOptions());
        context.Response.Redirect(IsLocalPath(returnUrl) ? returnUrl! : "/");
        return true;
    }

    private static CookieOptions CookieOptions() => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Path = "/",
        IsEssential = true,
    };

    /// <summary>Only a path on this site: a login link must not redirect anywhere else.</summary>
    private static bool IsLocalPath(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));

    private static bool IsOtlpPath(PathString path) =>
        path.StartsWithSegments("/opentelemetry.proto.collector.trace.v1.TraceService") ||
        path.StartsWithSegments("/opentelemetry.proto.collector.logs.v1.LogsService") ||
        path.StartsWithSegments("/opentelemetry.proto.collector.metrics.v1.MetricsService") ||
        path.StartsWithSegments("/v1/traces") || path.StartsWithSegments("/v1/logs") || path.StartsWithSegments("/v1/metrics");

    /// <summary>The framework's and the component library's scripts and styles: the login page needs them, they hold no data.</summary>
    private static bool IsPublicAsset(PathString path) =>
        path.StartsWithSegments("/_framework") || path.StartsWithSegments("/_content") || path.Equals("/favicon.ico", StringComparison.OrdinalIgnoreCase);

    private static bool IsPageRequest(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) &&
        request.Headers.Accept.Any(a => a is not null && a.Contains("text/html", StringComparison.OrdinalIgnoreCase));
}
