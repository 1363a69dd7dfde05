using InterimPlatform.Hosting;
using InterimPlatform.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace InterimPlatform.AppHost;

/// <summary>
/// The InterimPlatform app model, declared as a .NET Aspire AppHost would declare it. The AppHost runs it;
/// the fault suite (bench/FaultSuite) runs the same model with its own faults in between.
/// </summary>
public sealed record PlatformModel(
    ResourceBuilder<PostgresServerResource> Postgres,
    ResourceBuilder<PostgresDatabaseResource> CandidatesDb,
    ResourceBuilder<PostgresDatabaseResource> EngagementsDb,
    ResourceBuilder<PostgresDatabaseResource> MatchingDb,
    ResourceBuilder<RabbitMQServerResource> Messaging,
    ResourceBuilder<ProjectResource> Candidates,
    ResourceBuilder<ProjectResource> Engagements,
    ResourceBuilder<ProjectResource> Matching,
    ResourceBuilder<ProjectResource> Gateway)
{
    public static PlatformModel Declare(DistributedApplicationBuilder builder)
    {
        var postgres = builder.AddPostgres("postgres").WithDataVolume();
        var candidatesDb = postgres.AddDatabase("candidatesdb", databaseName: "candidates");
        var engagementsDb = postgres.AddDatabase("engagementsdb", databaseName: "engagements");
        var matchingDb = postgres.AddDatabase("matchingdb", databaseName: "matching");
        var gatewayDb = postgres.AddDatabase("gatewaydb", databaseName: "gateway");

        var partners = builder.Configuration.GetSection("Partners").Get<string[]>() ?? ["globalise", "nordic-interim"];
        var messaging = builder.AddRabbitMQ("messaging").WithManagementPlugin().WithDataVolume()
            .WithAmqpPort(builder.Configuration.GetValue("Messaging:AmqpPort", 5672))
            .WithPartnerNetworks(partners);

        // --Replicas=2 runs two instances of each domain service, competing for the same queues (the gateway
        // spreads requests over them); the gateway itself keeps one, on its public port.
        var replicas = builder.Configuration.GetValue("Replicas", 1);

        var matching = builder.AddProject("matching", "../services/Matching/InterimPlatform.Matching.csproj")
            .WithReplicas(replicas)
            .WithGatewayTrust()
            .WithReference(matchingDb).WaitFor(matchingDb)
            .WithReference(messaging).WaitFor(messaging);

        // Candidates publishes what Matching consumes: on a new broker, Matching's queues must be bound before
        // the first event, or that event has nowhere to go.
        var candidates = builder.AddProject("candidates", "../services/Candidates/InterimPlatform.Candidates.csproj")
            .WithReplicas(replicas)
            .WithGatewayTrust()
            .WithReference(candidatesDb).WaitFor(candidatesDb)
            .WithReference(messaging).WaitFor(messaging)
            .WaitFor(matching);

        var engagements = builder.AddProject("engagements", "../services/Engagements/InterimPlatform.Engagements.csproj")
            .WithReplicas(replicas)
            .WithGatewayTrust()
            .WithReference(engagementsDb).WaitFor(engagementsDb)
            .WithReference(messaging).WaitFor(messaging);

        var gateway = builder.AddProject("gateway", "../services/Gateway/InterimPlatform.Gateway.csproj")
            .WithHttpEndpoint(port: builder.Configuration.GetValue("Gateway:Port", 5100))
            .WithDevelopmentApiKeys()
            .WithReference(gatewayDb).WaitFor(gatewayDb)
            .WithReference(candidates).WaitFor(candidates)
            .WithReference(engagements).WaitFor(engagements)
            .WithReference(matching).WaitFor(matching);

        // The dashboard (http://localhost:18888, printed at start) calls the gateway with the development keys.
        builder.Dashboard.GatewayApiKey = GatewaySecurity.DevelopmentKey;
        builder.Dashboard.Partners = partners;
        return new PlatformModel(postgres, candidatesDb, engagementsDb, matchingDb, messaging, candidates, engagements, matching, gateway);
    }
}
