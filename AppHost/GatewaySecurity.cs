using System.Security.Cryptography;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using InterimPlatform.Hosting.NativeServers;

namespace InterimPlatform.AppHost;

/// <summary>
/// Per-installation secrets of the gateway: the key it signs its identity tokens with (shared with the services,
/// which accept nothing else), and one development API key per role, written to <c>.apphost/api-keys.json</c> for
/// the developer; the gateway receives only their hashes.
/// </summary>
public static class GatewaySecurity
{
    public const string ApiKeysFile = "api-keys.json";

    /// <summary>The platform's roles (as the gateway and services name them).</summary>
    public static readonly IReadOnlyList<string> Roles = ["recruiter", "ops", "privacy-officer", "admin"];

    /// <summary>Every service trusts the gateway's tokens, signed with this installation's key.</summary>
    public static IResourceBuilder<T> WithGatewayTrust<T>(this IResourceBuilder<T> project, IResourceBuilder<ParameterResource> signingKey)
        where T : IResourceWithEnvironment =>
        project.WithEnvironment("GatewayIdentity__SigningKey", signingKey);

    /// <summary>The gateway: the signing key, and the hashes of the development keys (created on first run).</summary>
    public static IResourceBuilder<ExecutableResource> WithDevelopmentApiKeys(this IResourceBuilder<ExecutableResource> gateway, IResourceBuilder<ParameterResource> signingKey, IReadOnlyDictionary<string, string> developmentKeys)
    {
        gateway.WithGatewayTrust(signingKey);
        foreach (var (role, index) in Roles.Select((r, i) => (r, i)))
        {
            gateway.WithEnvironment($"Gateway__BootstrapKeys__{index}__Name", $"development-{role}")
                .WithEnvironment($"Gateway__BootstrapKeys__{index}__Role", role)
                .WithEnvironment($"Gateway__BootstrapKeys__{index}__Key", Hash(developmentKeys[role]));
        }

        return gateway;
    }

    /// <summary>The development keys, one per role, in the key format the gateway accepts (kept in the state folder).</summary>
    public static IReadOnlyDictionary<string, string> DevelopmentKeys(StateFolder state) =>
        state.LoadOrCreateCredentials(ApiKeysFile, Roles, role => $"ipk.dev{role.Replace("-", "", StringComparison.Ordinal)}.{GeneratedSecret.Create(40)}");

    /// <summary>What the gateway stores: "keyid:sha256-of-the-key" (it never sees the key itself).</summary>
    private static string Hash(string key) => $"{key.Split('.')[1]}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))}";
}
