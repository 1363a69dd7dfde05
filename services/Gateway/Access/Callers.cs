using System.Security.Claims;

namespace InterimPlatform.Gateway.Access;

/// <summary>The caller's platform roles, whichever scheme authenticated them (API key or bearer token).</summary>
public static class Callers
{
    public static IReadOnlyList<string> RolesOf(ClaimsPrincipal user) =>
        [.. user.Identities.SelectMany(i => i.FindAll(i.RoleClaimType)).Select(c => c.Value).Where(AccessRules.Roles.Contains).Distinct().Order(StringComparer.Ordinal)];
}
