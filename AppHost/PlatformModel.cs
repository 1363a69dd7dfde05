using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using InterimPlatform.AppHost.Operations;
using InterimPlatform.Hosting.NativeServers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace InterimPlatform.AppHost;

/// <summary>
/// The InterimPlatform app model. The AppHost runs it; the end-to-end tests run it through Aspire.Hosting.Testing
/// and the benchmarks through the AppHost command.
/// </summary>
public sealed record PlatformModel(
    IResourceBuilder<PostgresServerResource> Postgres,
    IResourceBuilder<RabbitMQNodeResource> Messaging,
    IReadOnlyList<IResourceBuilder<ExecutableResource>> Candidates,
    IReadOnlyList<IResourceBuilder<ExecutableResource>> Engagements,
    IReadOnlyList<IResourceBuilder<ExecutableResource>> Matching,
    IResourceBuilder<ExecutableResource> Gateway)
{
    /// <summary>
    /// The RabbitMQ administrator: the AppHost's alone (it provisions users and reads the management API for the
    /// error-queue resources). Each service connects as its own user (<see cref="ServiceBrokerUsers"/>).
    /// </summary>
    public const string MessagingAdministrator = "interim-admin";

    public static PlatformModel Declare(IDistributedApplicationBuilder builder, StateFolder state)
    {
        var configuration = builder.Configuration;
        var secrets = new InstallationSecrets(builder, state);

        var postgres = builder.AddPostgresServer("postgres", secrets.Parameter("postgres-password"), state.ResourceDirectory("postgres"));
        var candidatesDb = postgres.AddDatabase("candidatesdb", secrets.Parameter("candidatesdb-owner-password"), "candidates");
        var engagementsDb = postgres.AddDatabase("engagementsdb", secrets.Parameter("engagementsdb-owner-password"), "engagements");
        var matchingDb = postgres.AddDatabase("matchingdb", secrets.Parameter("matchingdb-owner-password"), "matching");
        var gatewayDb = postgres.AddDatabase("gatewaydb", secrets.Parameter("gatewaydb-owner-password"), "gateway");

        var partners = configuration.GetSection("Partners").Get<string[]>() ?? ["globalise", "nordic-interim"];
        var messaging = builder.AddRabbitMQNode("messaging", MessagingAdministrator, secrets.Parameter("messaging-password"), state.ResourceDirectory("messaging"), configuration.GetValue("Messaging:AmqpPort", 5672))
            .WithProvisioning(PartnerNetworks.Provisioning(partners, PartnerNetworks.Passwords(state, partners)));

        // Each service's own broker user, a child of the node; the service gets it as ConnectionStrings__messaging.
        var brokerUsers = ServiceBrokerUsers.All.ToDictionary(
            s => s.Service,
            s => messaging.AddUser(s.ResourceName, s.UserName, secrets.Parameter($"{s.ResourceName}-password"), s.Permissions));

        var signingKey = secrets.Parameter("gateway-signing-key");

        // --Replicas=2 runs two instances of each domain service, competing for the same queues; the gateway spreads
        // requests over them. Each instance is a resource of its own on its own port, without DCP's proxy: a proxy
        // keeps accepting connections for an instance that died, and the gateway's failover needs them refused.
        var replicas = configuration.GetValue("Replicas", 1);

        var matching = Instances(builder, "matching", replicas, (p, port) => builder.AddServiceProject<Projects.InterimPlatform_Matching>(p, port))
            .Configure(p => p.WithGatewayTrust(signingKey)
                .WithReference(matchingDb).WaitFor(matchingDb)
                .WithMessaging(brokerUsers["matching"]));

        // Candidates publishes what Matching consumes: on a new broker, Matching's queues must be bound before the
        // first event, or that event has nowhere to go.
        var candidates = Instances(builder, "candidates", replicas, (p, port) => builder.AddServiceProject<Projects.InterimPlatform_Candidates>(p, port))
            .Configure(p => p.WithGatewayTrust(signingKey)
                .WithReference(candidatesDb).WaitFor(candidatesDb)
                .WithMessaging(brokerUsers["candidates"])
                .WaitForServing(matching[0]));

        var engagements = Instances(builder, "engagements", replicas, (p, port) => builder.AddServiceProject<Projects.InterimPlatform_Engagements>(p, port))
            .Configure(p => p.WithGatewayTrust(signingKey)
                .WithReference(engagementsDb).WaitFor(engagementsDb)
                .WithMessaging(brokerUsers["engagements"]));

        var developmentKeys = GatewaySecurity.DevelopmentKeys(state);
        var gatewayPort = GatewayPort(configuration);
        var gateway = builder.AddServiceProject<Projects.InterimPlatform_Gateway>("gateway", gatewayPort)
            .WithUrl(new UriBuilder("http", "localhost", gatewayPort, "api-reference").Uri.ToString(), "API reference")
            .WithDevelopmentApiKeys(signingKey, developmentKeys)
            .WithReference(gatewayDb).WaitFor(gatewayDb)
            .WithServiceInstances("candidates", candidates)
            .WithServiceInstances("engagements", engagements)
            .WithServiceInstances("matching", matching);

        var operations = new GatewayOperations(new UriBuilder("http", "localhost", gatewayPort).Uri, developmentKeys["ops"], developmentKeys["admin"]);
        PlatformOperations.Declare(builder, new Dictionary<string, IReadOnlyList<IResourceBuilder<ExecutableResource>>>
        {
            ["candidates"] = candidates,
            ["engagements"] = engagements,
            ["matching"] = matching,
        }, operations);

        return new PlatformModel(postgres, messaging, candidates, engagements, matching, gateway);
    }

    /// <summary>The gateway's public port (stable: the API's address).</summary>
    public static int GatewayPort(IConfiguration configuration) => configuration.GetValue("Gateway:Port", 5100);

    /// <summary>The first instance keeps the service's name, the others are <c>{name}-2</c>, …; each on a free loopback port.</summary>
    private static IReadOnlyList<IResourceBuilder<ExecutableResource>> Instances(IDistributedApplicationBuilder builder, string name, int replicas, Func<string, int, IResourceBuilder<ExecutableResource>> add)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        return [.. Enumerable.Range(1, replicas).Select(i => add(i == 1 ? name : $"{name}-{i}", LoopbackPorts.GetFreePort()))];
    }
}

/// <summary>Declaration helpers for the platform's services.</summary>
internal static class PlatformModelExtensions
{
    public static IReadOnlyList<IResourceBuilder<ExecutableResource>> Configure(this IReadOnlyList<IResourceBuilder<ExecutableResource>> instances, Action<IResourceBuilder<ExecutableResource>> configure)
    {
        foreach (var instance in instances)
        {
            configure(instance);
        }

        return instances;
    }

    /// <summary>
    /// The broker as <paramref name="user"/>: <c>ConnectionStrings__messaging</c> (the name every service reads) with
    /// that user's AMQP URI, and a start only once the user exists and can connect.
    /// </summary>
    public static IResourceBuilder<ExecutableResource> WithMessaging(this IResourceBuilder<ExecutableResource> builder, IResourceBuilder<RabbitMQUserResource> user) =>
        builder.WithReference(user, connectionName: "messaging").WaitFor(user);

    /// <summary>
    /// Service discovery of every instance (<c>services__{name}__http__0</c>, <c>__1</c>, …, as Aspire gives one
    /// replicated resource), and a start only once all serve.
    /// </summary>
    public static IResourceBuilder<ExecutableResource> WithServiceInstances(this IResourceBuilder<ExecutableResource> builder, string name, IReadOnlyList<IResourceBuilder<ExecutableResource>> instances)
    {
        for (var i = 0; i < instances.Count; i++)
        {
            builder.WithEnvironment($"services__{name}__http__{i}", instances[i].GetEndpoint("http"))
                .WithRelationship(instances[i].Resource, "Reference")
                .WaitForServing(instances[i]);
        }

        return builder;
    }

    /// <summary>
    /// Starts <paramref name="builder"/> once <paramref name="service"/> serves: it runs, and its health is Healthy
    /// or Degraded.
    /// </summary>
    /// <remarks>
    /// Aspire's <c>WaitFor</c> waits for Healthy. A Degraded service (failed messages in an error queue, an
    /// engagement in breach) serves, and a gateway restarted then must not wait until someone clears it.
    /// <c>WaitForStart</c> keeps the dependency in the model (dashboard graph, failure when it cannot start).
    /// </remarks>
    public static IResourceBuilder<ExecutableResource> WaitForServing(this IResourceBuilder<ExecutableResource> builder, IResourceBuilder<ExecutableResource> service)
    {
        builder.WaitForStart(service);
        builder.ApplicationBuilder.Eventing.Subscribe<BeforeResourceStartedEvent>(builder.Resource, async (e, cancellationToken) =>
        {
            var notifications = e.Services.GetRequiredService<ResourceNotificationService>();
            var log = e.Services.GetRequiredService<ResourceLoggerService>().GetLogger(e.Resource);
            await notifications.PublishUpdateAsync(e.Resource, s => s with { State = KnownResourceStates.Waiting });
            log.LogInformation("Waiting for resource '{ResourceName}' to serve (Healthy or Degraded).", service.Resource.Name);
            var serving = await notifications.WaitForResourceAsync(service.Resource.Name, r => IsServing(r.Snapshot) || IsGone(r.Snapshot), cancellationToken);
            if (IsGone(serving.Snapshot))
            {
                throw new DistributedApplicationException($"Resource '{service.Resource.Name}' ended ({serving.Snapshot.State?.Text}) before it served.");
            }

            log.LogInformation("Finished waiting for resource '{ResourceName}' to serve.", service.Resource.Name);
        });
        return builder;
    }

    // A service reports Degraded only once it has been ready (ServiceHealth), so Degraded here is never "still starting".
    private static bool IsServing(CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text == KnownResourceStates.Running && snapshot.HealthStatus is HealthStatus.Healthy or HealthStatus.Degraded;

    private static bool IsGone(CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text is { } state && KnownResourceStates.TerminalStates.Contains(state);
}

/// <summary>
/// The installation's generated secrets as Aspire parameters: kept in <c>.apphost/secrets.json</c> (mode 600) rather
/// than in user secrets, so <c>--reset</c> wipes them with the data they protect and a test run's never touch the
/// user's. A value passed in configuration (<c>Parameters:{name}</c>) wins.
/// </summary>
internal sealed class InstallationSecrets(IDistributedApplicationBuilder builder, StateFolder state)
{
    public const string SecretsFile = "secrets.json";

    // What the AppHost before Aspire called the same secrets: an existing installation keeps its data readable.
    private static readonly Dictionary<string, string> s_earlierNames = new()
    {
        ["postgres-password"] = "PostgresPassword",
        ["messaging-password"] = "RabbitMQPassword",
    };

    public IResourceBuilder<ParameterResource> Parameter(string name)
    {
        var key = $"Parameters:{name}";
        if (string.IsNullOrEmpty(builder.Configuration[key]))
        {
            var existing = state.LoadOrCreateCredentials(SecretsFile, []);
            var stored = state.LoadOrCreateCredentials(SecretsFile, [name], account =>
                s_earlierNames.TryGetValue(account, out var earlier) && existing.TryGetValue(earlier, out var value) ? value : GeneratedSecret.Create());
            builder.Configuration[key] = stored[name];
        }

        return builder.AddParameter(name, secret: true);
    }
}
