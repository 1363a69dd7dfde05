using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace InterimPlatform.AppHost;

/// <summary>
/// The app model in publish mode (<c>dotnet run --project AppHost -- --publisher manifest --output-path …</c>): what a
/// cluster must give each service. There are no local servers here: each database and each service's broker user is
/// a connection string, the gateway's signing key a secret parameter, and the services' queues are quorum queues
/// (a broker of three nodes). <c>deploy/kubernetes/</c> is this model written for Kubernetes, and
/// <c>KubernetesManifestTests</c> checks the two agree (docs/deploy.md).
/// </summary>
public static class ClusterModel
{
    /// <summary>The port every service listens on inside its container (the .NET container images' default).</summary>
    public const int ContainerPort = 8080;

    /// <summary>Where the services export telemetry: the OpenTelemetry Collector of deploy/kubernetes/base.</summary>
    public const string OtlpEndpoint = "http://otel-collector:4317";

    /// <summary>The services' databases (connection-string names, as in run mode).</summary>
    public static readonly IReadOnlyList<string> Databases = ["candidatesdb", "engagementsdb", "matchingdb", "gatewaydb"];

    public static void Declare(IDistributedApplicationBuilder builder)
    {
        var databases = Databases.ToDictionary(d => d, d => builder.AddConnectionString(d));
        // Each domain service connects to the broker as its own user (ServiceBrokerUsers): one connection string each.
        var brokerUsers = ServiceBrokerUsers.All.ToDictionary(s => s.Service, s => builder.AddConnectionString(s.ResourceName));
        var signingKey = builder.AddParameter("gateway-signing-key", secret: true);
        // The first admin key's hash ("id:sha256", docs/gateway.md): with it the operator creates every other key.
        var bootstrapAdminKey = builder.AddParameter("gateway-bootstrap-admin-key", secret: true);
        // Every trace locally; a cluster may sample (the production overlay keeps 10 %).
        var sampler = builder.AddParameter("otel-traces-sampler", "parentbased_always_on");
        var samplerArgument = builder.AddParameter("otel-traces-sampler-arg", "1.0");

        IResourceBuilder<ProjectResource> Service<TProject>(string name) where TProject : IProjectMetadata, new() =>
            builder.AddProject<TProject>(name, options => options.ExcludeLaunchProfile = true)
                .WithHttpEndpoint(targetPort: ContainerPort, name: "http")
                .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", OtlpEndpoint)
                .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
                .WithEnvironment("OTEL_SERVICE_NAME", name)
                .WithEnvironment("OTEL_TRACES_SAMPLER", sampler)
                .WithEnvironment("OTEL_TRACES_SAMPLER_ARG", samplerArgument)
                .WithEnvironment("GatewayIdentity__SigningKey", signingKey);

        IResourceBuilder<ProjectResource> DomainService<TProject>(string name) where TProject : IProjectMetadata, new() =>
            Service<TProject>(name)
                .WithReference(databases[$"{name}db"])
                .WithReference(brokerUsers[name], connectionName: "messaging")
                .WithEnvironment("Messaging__QueueType", "quorum");

        var matching = DomainService<Projects.InterimPlatform_Matching>("matching");
        var candidates = DomainService<Projects.InterimPlatform_Candidates>("candidates");
        var engagements = DomainService<Projects.InterimPlatform_Engagements>("engagements");

        Service<Projects.InterimPlatform_Gateway>("gateway")
            .WithExternalHttpEndpoints()
            .WithReference(databases["gatewaydb"])
            .WithEnvironment("Gateway__BootstrapKeys__0__Name", "bootstrap-admin")
            .WithEnvironment("Gateway__BootstrapKeys__0__Role", "admin")
            .WithEnvironment("Gateway__BootstrapKeys__0__Key", bootstrapAdminKey)
            .WithReference(candidates)
            .WithReference(engagements)
            .WithReference(matching);
    }
}
