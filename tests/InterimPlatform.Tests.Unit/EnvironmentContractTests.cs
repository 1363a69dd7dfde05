using InterimPlatform.Hosting;
using InterimPlatform.Hosting.ApplicationModel;
using InterimPlatform.Hosting.Orchestration;
using InterimPlatform.Hosting.Servers;
using Npgsql;

namespace InterimPlatform.Tests.Unit;

/// <summary>
/// The environment a project receives must be exactly what a .NET Aspire AppHost gives it, so the
/// services run unchanged under a real Aspire AppHost.
/// </summary>
public sealed class EnvironmentContractTests
{
    private static (ProjectResource Service, ProjectResource Gateway) DeclareModel()
    {
        var builder = DistributedApplication.CreateBuilder([]);
        var postgres = builder.AddPostgres("postgres");
        var db = postgres.AddDatabase("candidatesdb", databaseName: "candidates");
        var messaging = builder.AddRabbitMQ("messaging");
        var service = builder.AddProject("candidates", "../services/Candidates/InterimPlatform.Candidates.csproj")
            .WithReference(db).WaitFor(db)
            .WithReference(messaging).WaitFor(messaging);
        var gateway = builder.AddProject("gateway", "../services/Gateway/InterimPlatform.Gateway.csproj")
            .WithHttpEndpoint(port: 5100)
            .WithReference(service).WaitFor(service);

        postgres.Resource.Port = 15432;
        postgres.Resource.Password = "pg-secret";
        db.Resource.OwnerPassword = "owner-secret";
        messaging.Resource.NodeOptions = new RabbitMQNodeOptions("/tmp/unused", "interim-admin", "mq-secret") { AmqpPort = 15672 };
        service.Resource.Port = 40001;
        gateway.Resource.Port = 5100;
        return (service.Resource, gateway.Resource);
    }

    [Fact]
    public void Connection_strings_follow_Aspire_formats()
    {
        var (service, _) = DeclareModel();

        var environment = ProjectEnvironment.Build(service, "abc123", otlp: null);

        var postgres = new NpgsqlConnectionStringBuilder(environment["ConnectionStrings__candidatesdb"]);
        Assert.Equal("127.0.0.1", postgres.Host);
        Assert.Equal(15432, postgres.Port);
        Assert.Equal("candidates_owner", postgres.Username); // the database's own role, not the superuser
        Assert.Equal("owner-secret", postgres.Password);
        Assert.Equal("candidates", postgres.Database);
        Assert.Equal("amqp://interim-admin:mq-secret@127.0.0.1:15672", environment["ConnectionStrings__messaging"]);
    }

    [Fact]
    public void Service_discovery_urls_and_hosting_variables_are_set()
    {
        var (service, gateway) = DeclareModel();

        var serviceEnvironment = ProjectEnvironment.Build(service, "abc123", otlp: null);
        var gatewayEnvironment = ProjectEnvironment.Build(gateway, "def456", otlp: null);

        Assert.Equal("http://127.0.0.1:40001", serviceEnvironment["ASPNETCORE_URLS"]);
        Assert.Equal("Development", serviceEnvironment["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal("candidates", serviceEnvironment["OTEL_SERVICE_NAME"]);
        Assert.Equal("service.instance.id=abc123", serviceEnvironment["OTEL_RESOURCE_ATTRIBUTES"]);
        Assert.Equal("1000", serviceEnvironment["OTEL_BSP_SCHEDULE_DELAY"]);
        Assert.Equal("1000", serviceEnvironment["OTEL_BLRP_SCHEDULE_DELAY"]);
        Assert.Equal("1000", serviceEnvironment["OTEL_METRIC_EXPORT_INTERVAL"]);
        Assert.Equal("http://localhost:5100", gatewayEnvironment["ASPNETCORE_URLS"]);
        Assert.Equal("http://127.0.0.1:40001", gatewayEnvironment["services__candidates__http__0"]);
        Assert.DoesNotContain(gatewayEnvironment.Keys, k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal));
    }

    [Fact]
    public void Otlp_endpoint_and_api_key_are_passed_only_when_a_collector_is_configured()
    {
        var (service, _) = DeclareModel();

        var without = ProjectEnvironment.Build(service, "abc123", otlp: null);
        var with = ProjectEnvironment.Build(service, "abc123", new OtlpSettings("http://localhost:18889", "key-1"));

        Assert.False(without.ContainsKey("OTEL_EXPORTER_OTLP_ENDPOINT"));
        Assert.Equal("http://localhost:18889", with["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("grpc", with["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        Assert.Equal("x-otlp-api-key=key-1", with["OTEL_EXPORTER_OTLP_HEADERS"]);
    }

    [Fact]
    public void Replicas_are_resources_of_their_own_that_the_gateway_discovers_and_waits_for()
    {
        var builder = DistributedApplication.CreateBuilder([]);
        var postgres = builder.AddPostgres("postgres");
        var db = postgres.AddDatabase("matchingdb", databaseName: "matching");
        var service = builder.AddProject("matching", "../services/Matching/InterimPlatform.Matching.csproj")
            .WithReplicas(2)
            .WithReference(db).WaitFor(db)
            .WithEnvironment("Matching__Setting", "on");
        var gateway = builder.AddProject("gateway", "../services/Gateway/InterimPlatform.Gateway.csproj")
            .WithHttpEndpoint(port: 5100)
            .WithReference(service).WaitFor(service);

        builder.Build();

        Assert.Equal(["postgres", "matchingdb", "matching", "matching-2", "gateway"], builder.Resources.Select(r => r.Name));
        var replica = Assert.Single(service.Resource.ReplicaInstances);
        Assert.Equal("matching-2", replica.Name);
        Assert.Equal([db.Resource], replica.WaitsFor);
        Assert.Equal([service.Resource, replica], gateway.Resource.WaitsFor);

        postgres.Resource.Port = 15432;
        service.Resource.Port = 40001;
        replica.Port = 40002;
        var first = ProjectEnvironment.Build(service.Resource, "aaa", otlp: null);
        var second = ProjectEnvironment.Build(replica, "bbb", otlp: null);
        var gatewayEnvironment = ProjectEnvironment.Build(gateway.Resource, "ccc", otlp: null);

        // One service to telemetry and to the gateway, two processes on their own ports, sharing the database.
        Assert.Equal("matching", second["OTEL_SERVICE_NAME"]);
        Assert.Equal("service.instance.id=bbb", second["OTEL_RESOURCE_ATTRIBUTES"]);
        Assert.Equal("http://127.0.0.1:40002", second["ASPNETCORE_URLS"]);
        Assert.Equal("on", second["Matching__Setting"]);
        Assert.Equal(first["ConnectionStrings__matchingdb"], second["ConnectionStrings__matchingdb"]);
        Assert.Equal("http://127.0.0.1:40001", gatewayEnvironment["services__matching__http__0"]);
        Assert.Equal("http://127.0.0.1:40002", gatewayEnvironment["services__matching__http__1"]);
    }

    [Fact]
    public void A_project_on_a_fixed_port_cannot_have_replicas()
    {
        var builder = DistributedApplication.CreateBuilder([]);
        builder.AddProject("gateway", "../services/Gateway/InterimPlatform.Gateway.csproj").WithHttpEndpoint(port: 5100).WithReplicas(2);

        Assert.Throws<InvalidOperationException>(() => builder.Build());
    }

    [Fact]
    public void Resource_names_are_unique()
    {
        var builder = DistributedApplication.CreateBuilder([]);
        builder.AddPostgres("postgres");

        Assert.Throws<InvalidOperationException>(() => builder.AddRabbitMQ("postgres"));
    }
}
