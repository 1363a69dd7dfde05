// The InterimPlatform app model, declared as a .NET Aspire AppHost would declare it.
// The engine behind these calls is ../Hosting (no Aspire package is obtainable here).
using InterimPlatform.AppHost;
using InterimPlatform.Hosting;
using InterimPlatform.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

var builder = DistributedApplication.CreateBuilder(args);

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

builder.AddProject("gateway", "../services/Gateway/InterimPlatform.Gateway.csproj")
    .WithHttpEndpoint(port: builder.Configuration.GetValue("Gateway:Port", 5100))
    .WithDevelopmentApiKeys()
    .WithReference(gatewayDb).WaitFor(gatewayDb)
    .WithReference(candidates).WaitFor(candidates)
    .WithReference(engagements).WaitFor(engagements)
    .WithReference(matching).WaitFor(matching);

// The dashboard (http://localhost:18888, printed at start) calls the gateway with the development keys.
builder.Dashboard.GatewayApiKey = GatewaySecurity.DevelopmentKey;
builder.Dashboard.Partners = partners;

builder.Build().Run();
