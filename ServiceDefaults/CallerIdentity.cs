using Microsoft.AspNetCore.Http;

namespace Microsoft.Extensions.Hosting;

/// <summary>Who is asking, for audit trails ("who moved this candidate", "who pinned this person").</summary>
public static class CallerIdentity
{
    /// <summary>
    /// Header carrying the caller's identity. The gateway sets it from the authenticated caller; a caller
    /// without one is recorded as "unknown".
    /// </summary>
    public const string ActorHeader = "X-Actor";

    public static string Actor(HttpContext context) =>
        context.User.Identity?.Name
        ?? (context.Request.Headers[ActorHeader].FirstOrDefault() is { Length: > 0 and <= 200 } actor ? actor : "unknown");
}
