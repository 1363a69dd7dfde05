using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using InterimPlatform.AppHost;
using InterimPlatform.Hosting.NativeServers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace InterimPlatform.Tests.Integration.Infrastructure;

/// <summary>
/// The whole platform, the AppHost's own app model, started once for the end-to-end tests through
/// Aspire.Hosting.Testing (the dashboard included), isolated from anything a user runs: its own state folder,
/// ports and generated secrets. Tests that stop or restart a resource start it again before they finish.
/// </summary>
public sealed class AspirePlatform : IAsyncLifetime
{
    /// <summary>Every resource the dashboard lists for the platform.</summary>
    public static readonly IReadOnlyList<string> Resources =
        ["postgres", "candidatesdb", "engagementsdb", "matchingdb", "gatewaydb", "messaging", "matching", "candidates", "engagements", "gateway"];

    private static readonly string[] Services = ["matching", "candidates", "engagements", "gateway"];
    private DistributedApplication? _app;

    public string StateDirectory { get; } = Path.Combine(Path.GetTempPath(), "interim-e2e-" + Guid.NewGuid().ToString("N")[..12]);

    public int GatewayPort { get; } = LoopbackPorts.GetFreePort();

    public int DashboardPort { get; } = LoopbackPorts.GetFreePort();

    public Uri GatewayUrl => new($"http://localhost:{GatewayPort}");

    public DistributedApplication App => _app ?? throw new InvalidOperationException("Not started.");

    /// <summary>The dashboard's login link, as the AppHost prints it.</summary>
    public string DashboardLoginUrl => $"http://localhost:{DashboardPort}/login?t={App.Services.GetRequiredService<IConfiguration>()["AppHost:BrowserToken"]}";

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [
                "--state-dir", StateDirectory, $"--Gateway:Port={GatewayPort}", $"--Messaging:AmqpPort={LoopbackPorts.GetFreePort()}",
                $"--Dashboard:Port={DashboardPort}", $"--Dashboard:OtlpGrpcPort={LoopbackPorts.GetFreePort()}",
                $"--Dashboard:OtlpHttpPort={LoopbackPorts.GetFreePort()}", $"--Dashboard:ResourceServicePort={LoopbackPorts.GetFreePort()}",
                // Aspire.Hosting.Testing puts proxied endpoints on random ports by default; the dashboard is the only
                // one, and it must be where the printed link (and DashboardLoginUrl) says.
                "--DcpPublisher:RandomizePorts=false",
            ],
            (options, _) => options.DisableDashboard = false,
            timeout.Token);
        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        await WaitUntilHealthyAsync(Services, timeout.Token);
    }

    public async Task WaitUntilHealthyAsync(IEnumerable<string> resources, CancellationToken cancellationToken) =>
        await Task.WhenAll(resources.Select(r => App.ResourceNotifications.WaitForResourceHealthyAsync(r, cancellationToken)));

    /// <summary>Runs one of a resource's commands (start, stop, restart) as the dashboard's buttons do.</summary>
    public async Task ExecuteCommandAsync(string resource, string command, CancellationToken cancellationToken)
    {
        var result = await App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(resource, command, cancellationToken);
        Assert.True(result.Success, $"{command} {resource}: {result.Message}");
    }

    /// <summary>The process id DCP reports for a running resource.</summary>
    public int ProcessId(string resource) =>
        App.ResourceNotifications.TryGetCurrentState(resource, out var state)
        && state.Snapshot.Properties.FirstOrDefault(p => p.Name.EndsWith(".pid", StringComparison.Ordinal))?.Value is { } pid
            ? Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"{resource} has no process id.");

    /// <summary>A service instance's own URL, around the gateway.</summary>
    public Uri ServiceUrl(string resource) => App.GetEndpoint(resource, "http");

    /// <summary>The development API key the AppHost created for <paramref name="role"/>.</summary>
    public string ApiKey(string role) => ReadStateFile(GatewaySecurity.ApiKeysFile, role);

    /// <summary>One of the installation's generated secrets (<c>.apphost/secrets.json</c>).</summary>
    public string Secret(string name) => ReadStateFile("secrets.json", name);

    /// <summary>A partner network's broker password, as the AppHost gave it.</summary>
    public string PartnerPassword(string partner) => ReadStateFile(PartnerNetworks.CredentialsFile, partner);

    private string ReadStateFile(string file, string name)
    {
        using var values = JsonDocument.Parse(File.ReadAllText(Path.Combine(StateDirectory, file)));
        return values.RootElement.GetProperty(name).GetString()!;
    }

    /// <summary>A client of the gateway that authenticates with the development key of <paramref name="role"/>.</summary>
    public HttpClient Client(string role = "recruiter")
    {
        var client = new HttpClient { BaseAddress = GatewayUrl };
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey(role));
        return client;
    }

    /// <summary>A superuser connection string to one of the platform's databases.</summary>
    public string DatabaseConnectionString(string database)
    {
        var postgres = App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<PostgresServerResource>().Single();
        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = postgres.Port,
            Username = PostgresServerResource.SuperUser,
            Password = Secret("postgres-password"),
            Database = database,
            Pooling = false,
        }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp folder
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AspirePlatformCollection : ICollectionFixture<AspirePlatform>
{
    public const string Name = "Platform on Aspire";
}
