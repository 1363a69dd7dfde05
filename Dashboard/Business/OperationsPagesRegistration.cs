using InterimPlatform.Dashboard.Business;
using InterimPlatform.Dashboard.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace InterimPlatform.Dashboard;

public static class OperationsPagesRegistration
{
    /// <summary>
    /// What the Structured logs, Traces, Metrics, Messaging and Business pages need besides
    /// <see cref="Telemetry.ITelemetryQueries"/> (registered by the telemetry store) and Fluent UI (registered by the host).
    /// </summary>
    public static IServiceCollection AddDashboardOperationsPages(
        this IServiceCollection services,
        Action<MessagingOptions> configureMessaging,
        Action<BusinessOptions> configureBusiness)
    {
        services.Configure(configureMessaging);
        services.Configure(configureBusiness);
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(nameof(BrokerQueues), c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddHttpClient(nameof(FailedMessageActions), c => c.Timeout = TimeSpan.FromSeconds(30));
        services.AddHttpClient(nameof(EngagementSla), c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddTransient(sp => new BrokerQueues(Client(sp, nameof(BrokerQueues)), sp.GetRequiredService<IOptions<MessagingOptions>>()));
        // A singleton: it remembers which service owns which queue for a while.
        services.AddSingleton(sp => new FailedMessageActions(Client(sp, nameof(FailedMessageActions)), sp.GetRequiredService<IOptions<MessagingOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddTransient(sp => new EngagementSla(Client(sp, nameof(EngagementSla)), sp.GetRequiredService<IOptions<BusinessOptions>>()));
        services.AddTransient<PartnerIntake>();
        return services;
    }

    private static HttpClient Client(IServiceProvider services, string name) => services.GetRequiredService<IHttpClientFactory>().CreateClient(name);
}
