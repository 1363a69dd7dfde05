using InterimPlatform.Dashboard.Hosting;
using InterimPlatform.Hosting.ApplicationModel;
using InterimPlatform.Dashboard.Resources;
using InterimPlatform.Hosting.Orchestration;
using InterimPlatform.Hosting.Processes;
using InterimPlatform.Hosting.State;

namespace InterimPlatform.Hosting.Dashboard;

/// <summary>Where the AppHost's dashboard listens (Aspire's defaults: UI 18888, OTLP gRPC 18889, OTLP HTTP 18890), loopback only.</summary>
public sealed record DashboardSettings(int Port = 18888, int OtlpGrpcPort = 18889, int OtlpHttpPort = 18890)
{
    public DashboardIntegration Integration { get; init; } = new();
}

/// <summary>
/// What the dashboard's Messaging and Business pages need from the app model beyond what the orchestrator knows:
/// the gateway keys they call the platform's API with, and the partner networks to chart.
/// </summary>
public sealed class DashboardIntegration
{
    /// <summary>A gateway API key for a role (<c>admin</c> for the Messaging page's actions, <c>ops</c> for Business health), from the installation's state.</summary>
    public Func<StateFolder, string, string?>? GatewayApiKey { get; set; }

    public IReadOnlyList<string> Partners { get; set; } = [];
}

/// <summary>The dashboard could not start (a port in use); the message says what to do.</summary>
public sealed class DashboardUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The dashboard as the AppHost runs it: inside the AppHost process (it reads the orchestrator directly), on loopback, with an OTLP key kept per
/// installation in the state folder and a login token new at every start.
/// </summary>
internal sealed class AppHostDashboard(DashboardSettings settings, DistributedApplicationModel model, IResourceSource resources, TimeProvider timeProvider) : IAsyncDisposable
{
    /// <summary>The state folder's file that holds the OTLP API key (mode 600).</summary>
    public const string CredentialsFile = "dashboard.json";

    private const string OtlpApiKeyName = "OtlpApiKey";
    private DashboardHost? _host;

    public string? LoginUrl => _host?.LoginUrl;

    /// <summary>Starts the dashboard; returns where the services send their telemetry.</summary>
    public async Task<OtlpSettings> StartAsync(StateFolder state, PlatformSecrets secrets, CancellationToken cancellationToken)
    {
        foreach (var (port, name) in new[] { (settings.Port, "Dashboard:Port"), (settings.OtlpGrpcPort, "Dashboard:OtlpGrpcPort"), (settings.OtlpHttpPort, "Dashboard:OtlpHttpPort") })
        {
            if (!PortAllocator.IsFree(port))
            {
                throw new DashboardUnavailableException($"The dashboard cannot start: port {port} is already in use (another AppHost?). Choose another with --{name}=<port>.");
            }
        }

        // The key survives restarts (services started by an older run keep exporting with it); the login
        // token does not: a link printed by an earlier run must not log in.
        var apiKey = state.LoadOrCreateCredentials(CredentialsFile, [OtlpApiKeyName])[OtlpApiKeyName];
        var options = new DashboardOptions
        {
            Port = settings.Port,
            OtlpGrpcPort = settings.OtlpGrpcPort,
            OtlpHttpPort = settings.OtlpHttpPort,
            LoginToken = PlatformSecrets.Generate(),
            OtlpApiKey = apiKey,
            StorageDirectory = Path.Combine(state.Path, "telemetry"),
            // Read when a page first needs them: ports are allocated after the dashboard has started.
            ConfigureMessaging = messaging =>
            {
                if (model.Resources.OfType<RabbitMQServerResource>().FirstOrDefault() is { ManagementUrl: { } management })
                {
                    messaging.ManagementUrl = new Uri(management);
                    messaging.UserName = secrets.RabbitMQUser;
                    messaging.Password = secrets.RabbitMQPassword;
                }

                if (PublicGateway() is { } gateway)
                {
                    messaging.GatewayUrl = gateway;
                    messaging.AdminApiKey = settings.Integration.GatewayApiKey?.Invoke(state, "admin");
                }
            },
            ConfigureBusiness = business =>
            {
                if (PublicGateway() is { } gateway)
                {
                    business.GatewayUrl = gateway;
                    business.ApiKey = settings.Integration.GatewayApiKey?.Invoke(state, "ops");
                }

                business.Partners = [.. settings.Integration.Partners];
            },
        };
        try
        {
            _host = await DashboardHost.StartAsync(options, resources, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new DashboardUnavailableException($"The dashboard cannot start: {e.Message}", e);
        }

        return new OtlpSettings($"http://localhost:{settings.OtlpGrpcPort}", apiKey);
    }

    /// <summary>The project with a fixed, public endpoint: the gateway.</summary>
    private Uri? PublicGateway() => model.Resources.OfType<ProjectResource>().FirstOrDefault(p => p.FixedPort is not null) is { } gateway ? new Uri(gateway.HttpUrl) : null;

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
        }
    }
}
