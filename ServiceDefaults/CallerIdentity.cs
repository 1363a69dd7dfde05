using Microsoft.AspNetCore.Http;

namespace Microsoft.Extensions.Hosting;

/// <summary>Who is asking, for audit trails ("who moved this candidate", "who pinned this person").</summary>
public static class CallerIdentity
{
    /// <summary>The caller the gateway vouches for (<see cref="GatewayIdentity"/>); services accept no other.</summary>
    public static string Actor(HttpContext context) => context.User.Identity?.Name ?? "unknown";
}
