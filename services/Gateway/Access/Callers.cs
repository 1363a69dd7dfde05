using System.Runtime.CompilerServices;
using System.Security.Claims;

namespace InterimPlatform.Gateway.Access;

/// <summary>The caller's platform roles, whichever scheme authenticated them (API key or bearer token).</summary>
public static class Callers
{
    // An API key's principal is one cached instance for every request with that key: its roles are worked
    // out once, not three times per request (rules, audit, forwarded token).
    private static readonly ConditionalWeakTable<ClaimsPrincipal, IReadOnlyList<string>> Known = [];

    public static IReadOnlyList<string> RolesOf(ClaimsPrincipal user) => Known.GetValue(user, Compute);

    private static IReadOnlyList<string> Compute(ClaimsPrincipal user) =>
        [.. user.Identities.SelectMany(i => i.FindAll(i.RoleClaimType)).Select(c => c.Value).Where(AccessRules.Roles.Contains).Distinct().Order(StringComparer.Ordinal)];
}
