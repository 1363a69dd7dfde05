using System.Text.Json;
using InterimPlatform.AppHost;
using InterimPlatform.Bench.Platform;

namespace InterimPlatform.Bench.FuzzPass;

/// <summary>
/// What the fuzz pass needs of the platform: the gateway, the development keys, the broker and its credentials.
/// From the platform the shared bench launcher started, or, with <c>--attach</c>, from the state folder of an
/// AppHost already running (to iterate on the fuzz pass without restarting the platform).
/// </summary>
internal sealed record FuzzTarget(
    Uri Gateway,
    int AmqpPort,
    IReadOnlyDictionary<string, string> ApiKeys,
    IReadOnlyDictionary<string, string> PartnerPasswords,
    string MessagingUser,
    string MessagingPassword)
{
    /// <summary>One development key per role: recruiter, ops, privacy-officer, admin.</summary>
    public string Key(string role) => ApiKeys[role];

    public static FuzzTarget From(BenchPlatform platform) =>
        new(platform.GatewayUrl, platform.AmqpPort, platform.ApiKeys, platform.PartnerPasswords, platform.MessagingUser, platform.MessagingPassword);

    public static FuzzTarget Attach(string state, int gatewayPort, int amqpPort) => new(
        new Uri($"http://localhost:{gatewayPort}"),
        amqpPort,
        Read(state, GatewaySecurity.ApiKeysFile),
        Read(state, PartnerNetworks.CredentialsFile),
        PlatformModel.MessagingAdministrator,
        Read(state, "secrets.json")["messaging-password"]);

    private static Dictionary<string, string> Read(string state, string file) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(state, file)))!;
}
