using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace InterimPlatform.Ops.Access;

/// <summary>
/// Who may see the ops pages: whoever has the login link (<c>/login?t=&lt;Ops__LoginToken&gt;</c>). The link sets a
/// session cookie (HttpOnly, SameSite=Strict) whose value is a proof derived from the token, not the token, so a
/// cookie from an earlier run (another token) is worthless. Every other request needs the cookie: a page gets a 401
/// page that says to use the login link, anything else a bare 401. Only <c>/health</c> and <c>/alive</c> (for the
/// AppHost's health checks) are open. Tokens and proofs are compared in constant time.
/// </summary>
public sealed class OpsAccess
{
    public const string LoginPath = "/login";
    public const string LogoutPath = "/logout";
    public const string TokenQuery = "t";
    public const string CookieName = "interim-ops-session";

    private readonly byte[] _tokenHash;
    private readonly string _sessionProof;

    public OpsAccess(OpsOptions options)
    {
        var token = options.LoginToken is { Length: > 0 } t ? t : throw new InvalidOperationException("Ops__LoginToken is not set.");
        _tokenHash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        // The cookie holds a proof of the token, not the token: the token stays in the AppHost's hands.
        _sessionProof = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), "interim-ops-session"u8));
    }

    /// <summary>
    /// Compares hashes of the candidate and of the token with <see cref="CryptographicOperations.FixedTimeEquals"/>:
    /// neither the content nor the length of the token shows in the time taken.
    /// </summary>
    public bool IsValidToken(string? candidate) =>
        candidate is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(candidate)), _tokenHash);

    public bool IsSignedIn(HttpContext context) =>
        context.Request.Cookies.TryGetValue(CookieName, out var value) &&
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(value ?? "")),
            SHA256.HashData(Encoding.UTF8.GetBytes(_sessionProof)));

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path;
        if (path.Equals("/health", StringComparison.OrdinalIgnoreCase) || path.Equals("/alive", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        if (path.Equals(LoginPath, StringComparison.OrdinalIgnoreCase))
        {
            await LoginAsync(context);
            return;
        }

        if (path.Equals(LogoutPath, StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Cookies.Delete(CookieName, CookieOptions(context));
            await RefuseAsync(context, "Signed out", "You are signed out of the ops pages.");
            return;
        }

        if (IsSignedIn(context))
        {
            await next(context);
            return;
        }

        await RefuseAsync(context, "Sign in with the login link", "These pages need the login link.");
    }

    /// <summary><c>GET /login?t=…</c>: the right token sets the cookie and redirects to <c>/</c>; anything else is a 401.</summary>
    private async Task LoginAsync(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "GET, HEAD";
            return;
        }

        string? token = context.Request.Query[TokenQuery];
        if (token is null)
        {
            if (IsSignedIn(context))
            {
                context.Response.Redirect("/");
                return;
            }

            await RefuseAsync(context, "Sign in with the login link", "The login link carries a token: /login?t=….");
            return;
        }

        if (!IsValidToken(token.Trim()))
        {
            await RefuseAsync(context, "That token is not valid", "The token in this link is not this run's token: it changes every time the platform starts.");
            return;
        }

        context.Response.Cookies.Append(CookieName, _sessionProof, CookieOptions(context));
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Redirect("/");
    }

    private static CookieOptions CookieOptions(HttpContext context) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = "/",
        IsEssential = true,
    };

    /// <summary>401: a short page for a browser, a bare status for anything else (the interactive connection, fetches).</summary>
    private static async Task RefuseAsync(HttpContext context, string title, string reason)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.CacheControl = "no-store";
        if (!IsPageRequest(context.Request))
        {
            return;
        }

        var link = $"{context.Request.Scheme}://{context.Request.Host}{LoginPath}?{TokenQuery}=…";
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(
            $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1.0" />
            <title>{{WebUtility.HtmlEncode(title)}} · InterimPlatform ops</title>
            <style>
              body { font-family: "Segoe UI", system-ui, sans-serif; margin: 0; display: flex; justify-content: center; padding-top: 12vh; color: #242424; }
              main { max-width: 560px; padding: 24px; border: 1px solid #e0e0e0; border-radius: 8px; }
              h1 { font-size: 20px; margin-top: 0; }
              code { background: #f5f5f5; padding: 1px 4px; }
            </style>
            </head>
            <body>
            <main data-testid="login-required">
            <h1>{{WebUtility.HtmlEncode(title)}}</h1>
            <p>{{WebUtility.HtmlEncode(reason)}}</p>
            <p>Open the <b>login link</b> of the ops pages, from the Aspire dashboard (among the resource's URLs) or as the
            AppHost printed it: <code>{{WebUtility.HtmlEncode(link)}}</code>. The token changes at every start of the platform,
            so after a restart open the new link.</p>
            </main>
            </body>
            </html>
            """,
            context.RequestAborted);
    }

    private static bool IsPageRequest(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) &&
        request.Headers.Accept.Any(a => a is not null && (a.Contains("text/html", StringComparison.OrdinalIgnoreCase) || a.Contains("*/*", StringComparison.Ordinal)));
}
