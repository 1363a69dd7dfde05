using System.Net;
using System.Text;
using InterimPlatform.Gateway.Data;
using InterimPlatform.Hosting.NativeServers;
using InterimPlatform.Tests.Integration.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace InterimPlatform.Tests.Integration.Services;

/// <summary>A service with two replicas behind the gateway, one of them dead: requests reach the live one, POSTs included, each once.</summary>
[Collection(PlatformServersCollection.Name)]
public sealed class GatewayReplicaTests(PlatformServers servers) : IAsyncLifetime
{
    private const string RecruiterKey = "ipk.replicarecruit.0123456789abcdefghijABCDEFGHIJ";
    private readonly List<string> _received = [];
    private readonly List<string?> _keys = [];
    private WebApplication _liveReplica = null!;
    private ServiceHost<GatewayDbContext> _gateway = null!;

    public async Task InitializeAsync()
    {
        var liveUrl = $"http://127.0.0.1:{LoopbackPorts.GetFreePort()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(liveUrl);
        _liveReplica = builder.Build();
        _liveReplica.MapPost("/api/matching/echo", async (HttpRequest request) =>
        {
            var body = await new StreamReader(request.Body).ReadToEndAsync();
            lock (_received)
            {
                _received.Add(body);
                _keys.Add(request.Headers["Idempotency-Key"].FirstOrDefault());
            }

            return Results.Text(body);
        });
        await _liveReplica.StartAsync();

        _gateway = new ServiceHost<GatewayDbContext>(new Dictionary<string, string>
        {
            ["ConnectionStrings:gatewaydb"] = await servers.CreateDatabaseAsync("gateway"),
            ["Gateway:BootstrapKeys:0:Name"] = "replica-recruiter",
            ["Gateway:BootstrapKeys:0:Role"] = "recruiter",
            ["Gateway:BootstrapKeys:0:Key"] = $"replicarecruit:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(RecruiterKey)))}",
            // The first replica is dead: nothing listens on its port.
            ["services:matching:http:0"] = $"http://127.0.0.1:{LoopbackPorts.GetFreePort()}",
            ["services:matching:http:1"] = liveUrl,
            // Health checks would take the dead replica out of the rotation after a few seconds; off here, so
            // every request that picks it shows the failover itself.
            ["ReverseProxy:Clusters:matching:HealthCheck:Active:Enabled"] = "false",
            ["ReverseProxy:Clusters:matching:HealthCheck:Passive:Enabled"] = "false",
        });
        await _gateway.WaitUntilHealthyAsync();
    }

    [Fact]
    public async Task Requests_picked_for_a_replica_that_refuses_connections_go_to_the_other_one_once()
    {
        var client = _gateway.CreateClient();
        client.DefaultRequestHeaders.Authorization = null;
        client.DefaultRequestHeaders.Add("X-Api-Key", RecruiterKey);

        var bodies = Enumerable.Range(0, 20).Select(i => $$"""{"request":{{i}}}""").ToList();
        var answers = new List<(HttpStatusCode Status, string Body)>();
        foreach (var body in bodies)
        {
            using var response = await client.PostAsync("/api/matching/echo", new StringContent(body, Encoding.UTF8, "application/json"));
            answers.Add((response.StatusCode, await response.Content.ReadAsStringAsync()));
        }

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Equal(bodies, answers.Select(a => a.Body));
        Assert.Equal(bodies, _received); // each body arrived once, whole
    }

    [Fact]
    public async Task The_Idempotency_Key_header_reaches_the_service_as_sent_also_after_a_failover()
    {
        var client = _gateway.CreateClient();
        client.DefaultRequestHeaders.Authorization = null;
        client.DefaultRequestHeaders.Add("X-Api-Key", RecruiterKey);
        var keys = Enumerable.Range(0, 10).Select(_ => (string?)$"\"{Guid.NewGuid()}\"").ToList();

        foreach (var key in keys)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/matching/echo") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key!);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(keys, _keys); // each once, unchanged: the failover resends a request that never arrived, with its key
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _liveReplica.DisposeAsync();
    }
}
