using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using InterimPlatform.AppHost;
using InterimPlatform.Hosting.NativeServers;
using InterimPlatform.Tests.Deployment;
using InterimPlatform.Tests.Integration.Infrastructure;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Hosting;

namespace InterimPlatform.Tests.Integration.Services;

/// <summary>
/// The four services started as a cluster starts them (docs/deploy.md): each its built program, as a process of its
/// own, with exactly the environment its Deployment in deploy/kubernetes/base gives it — connection strings from the
/// environment, <c>Messaging__QueueType=quorum</c>, the gateway's keys, service discovery — where the cluster's
/// Secrets become this run's credentials and its addresses loopback ports. Against real servers: the test run's
/// PostgreSQL (a database and owner role per service, as CloudNativePG makes them) and a RabbitMQ node of the test's
/// own with the services' broker users (quorum queues cannot share a node with other tests' classic queues of the same
/// names).
/// </summary>
[Collection(PlatformServersCollection.Name)]
public sealed class ClusterModeTests(PlatformServers servers) : IAsyncLifetime
{
    private static readonly string[] s_services = ["matching", "candidates", "engagements", "gateway"];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "interim-cluster-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<(string Name, Process Process, ConcurrentQueue<string> Output)> _processes = [];
    private readonly Dictionary<string, int> _ports = s_services.ToDictionary(s => s, _ => LoopbackPorts.GetFreePort());
    private DistributedApplication? _broker;
    private RabbitMQNodeResource? _node;
    private string _brokerPassword = "";
    private string _adminKey = "";

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        _brokerPassword = GeneratedSecret.Create();
        var builder = AspireTesting.CreateBuilder(
            [$"--Parameters:messaging-password={_brokerPassword}", .. ServiceBrokerUsers.All.Select(s => $"--Parameters:{s.ResourceName}-password={GeneratedSecret.Create()}")]);
        var node = builder.AddRabbitMQNode("messaging", "interim-admin", builder.AddParameter("messaging-password", secret: true), Path.Combine(_directory, "rabbitmq"));
        var users = ServiceBrokerUsers.All.ToDictionary(s => s.Service, s => node.AddUser(s.ResourceName, s.UserName, builder.AddParameter($"{s.ResourceName}-password", secret: true), s.Permissions));
        _node = node.Resource;
        _broker = await builder.BuildAsync(timeout.Token);
        await _broker.StartAsync(timeout.Token);
        await Task.WhenAll([
            _broker.ResourceNotifications.WaitForResourceHealthyAsync("messaging", timeout.Token),
            .. users.Values.Select(u => _broker.ResourceNotifications.WaitForResourceHealthyAsync(u.Resource.Name, timeout.Token))]);

        // The values of the cluster's Secrets (create-secrets.sh), for this run.
        var secrets = new Dictionary<string, string>();
        foreach (var database in ClusterModel.Databases)
        {
            var name = database[..^"db".Length];
            var password = GeneratedSecret.Create();
            var databaseName = $"{name}_{Guid.NewGuid():N}"[..(name.Length + 9)];
            var owner = $"{databaseName}_owner";
            await servers.Postgres.EnsureDatabaseAsync(databaseName, timeout.Token, owner, password);
            secrets[database] = servers.Postgres.GetConnectionString(databaseName, owner, password);
        }

        foreach (var (service, user) in users)
        {
            secrets[$"messaging-{service}"] = await user.Resource.ConnectionStringExpression.GetValueAsync(timeout.Token) ?? throw new InvalidOperationException("no connection string");
        }

        secrets["gateway-signing-key"] = GatewayIdentity.NewSigningKey();
        _adminKey = $"ipk.bootstrapadmin.{GeneratedSecret.Create(40)}";
        secrets["gateway-bootstrap-admin-key"] = $"bootstrapadmin:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(_adminKey)))}";

        var objects = KustomizeRenderer.Render(Path.Combine(KustomizeRenderer.DeployDirectory(Checkout.Root()), "base"));
        _environments = s_services.ToDictionary(s => s, s => EnvironmentOf(objects, s, secrets));
    }

    private Dictionary<string, Dictionary<string, string>> _environments = [];

    /// <summary>The Deployment's environment with this machine's values.</summary>
    private Dictionary<string, string> EnvironmentOf(IReadOnlyList<IKubernetesObject> objects, string service, IReadOnlyDictionary<string, string> secrets)
    {
        var deployment = objects.Named<V1Deployment>(service);
        var environment = new Dictionary<string, string>();
        foreach (var variable in deployment.Spec.Template.Spec.Containers.Single(c => c.Name == service).Env)
        {
            if (variable.ValueFrom?.SecretKeyRef is { } secret)
            {
                environment[variable.Name] = secrets.TryGetValue(secret.Name, out var value) ? value : throw new InvalidOperationException($"{service}: no value for Secret {secret.Name}");
            }
            else if (variable.ValueFrom?.ConfigMapKeyRef is { } config)
            {
                environment[variable.Name] = objects.Named<V1ConfigMap>(config.Name).Data[config.Key];
            }
            else if (variable.Name == "HTTP_PORTS")
            {
                // The container's port, here a loopback port of its own (the brief: services bind to loopback).
                environment["ASPNETCORE_URLS"] = Url(service);
            }
            else if (variable.Name == "OTEL_EXPORTER_OTLP_ENDPOINT")
            {
                // No collector on this machine; without an endpoint the services export nothing.
            }
            else if (variable.Value is { } literal && Uri.TryCreate(literal, UriKind.Absolute, out var uri) && _ports.ContainsKey(uri.Host))
            {
                environment[variable.Name] = Url(uri.Host);   // http://candidates:8080, the Service, is this run's candidates
            }
            else
            {
                environment[variable.Name] = variable.Value ?? throw new InvalidOperationException($"{service}: {variable.Name} has no value");
            }
        }

        if (service != "gateway")
        {
            Assert.Equal("quorum", environment["Messaging__QueueType"]);
        }

        return environment;
    }

    private string Url(string service) => $"http://127.0.0.1:{_ports[service].ToString(CultureInfo.InvariantCulture)}";

    private void Start(string service, Dictionary<string, string> environment)
    {
        var project = char.ToUpperInvariant(service[0]) + service[1..];
        var executable = Checkout.Executable($"services/{project}", $"InterimPlatform.{project}");
        Assert.True(File.Exists(executable), $"{executable} is missing: build the solution.");
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = Path.GetDirectoryName(executable)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Only what a container would have: nothing of this test process's own configuration.
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_", StringComparison.Ordinal)
            || k.StartsWith("ConnectionStrings__", StringComparison.Ordinal) || k.StartsWith("OTEL_", StringComparison.Ordinal) || k.StartsWith("Messaging__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        var output = new ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => Keep(output, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add((service, process, output));
    }

    private static void Keep(ConcurrentQueue<string> output, string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > 200)
        {
            output.TryDequeue(out _);
        }
    }

    [Fact]
    public async Task Services_start_and_pass_health_with_the_cluster_configuration_and_declare_only_quorum_queues()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        // The order of a first installation (docs/deploy.md): Matching's queues bound before Candidates publishes.
        Start("matching", _environments["matching"]);
        await WaitUntilHealthyAsync(http);
        foreach (var service in new[] { "candidates", "engagements", "gateway" })
        {
            Start(service, _environments[service]);
        }

        await WaitUntilHealthyAsync(http);

        // Through the gateway, as the bootstrap admin: its key's hash came from the environment, each service found by
        // the discovery variables, and each trusts the token signed with the key from the environment.
        http.DefaultRequestHeaders.Add("X-Api-Key", _adminKey);
        foreach (var service in new[] { "candidates", "engagements", "matching" })
        {
            var response = await http.GetAsync($"{Url("gateway")}/api/{service}/messaging/error-queues");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /api/{service}/messaging/error-queues through the gateway: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        // Every durable queue the services declared (MassTransit's receive queues, the partner intake and its error queue)
        // is a quorum queue; only each instance's temporary bus queue is not durable. (MassTransit's _error and _skipped
        // queues, made at a first failure, copy their receive queue's arguments, x-queue-type with them.)
        using var management = new HttpClient { BaseAddress = _node!.ManagementUri };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_node.UserName}:{_brokerPassword}")));
        var queues = JsonNode.Parse(await management.GetStringAsync("api/queues/%2F"))!.AsArray()
            .Select(q => (Name: (string)q!["name"]!, Type: (string?)q["type"], Durable: (bool)q["durable"]!)).ToList();
        var durable = queues.Where(q => q.Durable).ToList();
        Assert.All(durable, q => Assert.True(q.Type == "quorum", $"{q.Name} is a {q.Type} queue"));
        Assert.All(queues.Where(q => !q.Durable), q => Assert.Contains("-bus-", q.Name, StringComparison.Ordinal));
        Assert.Contains(durable, q => q.Name == "candidates-partner-intake");
        Assert.Contains(durable, q => q.Name == "candidates-partner-intake_error");
        foreach (var service in new[] { "candidates", "engagements", "matching" })
        {
            Assert.Contains(durable, q => q.Name.StartsWith(service + "-", StringComparison.Ordinal) && !q.Name.Contains("partner", StringComparison.Ordinal));
        }
    }

    /// <summary>Waits until every service started so far passes /health (failing with its console if it exits).</summary>
    private async Task WaitUntilHealthyAsync(HttpClient http)
    {
        foreach (var (service, process, output) in _processes)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
            while (true)
            {
                Assert.False(process.HasExited, $"{service} exited ({(process.HasExited ? process.ExitCode : 0)}):{System.Environment.NewLine}{string.Join(System.Environment.NewLine, output)}");
                try
                {
                    if ((await http.GetAsync($"{Url(service)}/health")).StatusCode == HttpStatusCode.OK)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }

                Assert.True(DateTime.UtcNow < deadline, $"{service} did not pass /health in 3 minutes:{System.Environment.NewLine}{string.Join(System.Environment.NewLine, output)}");
                await Task.Delay(250);
            }
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var (_, process, _) in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        if (_broker is not null)
        {
            await _broker.StopAsync();
            await _broker.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a temp folder
        }
    }
}
