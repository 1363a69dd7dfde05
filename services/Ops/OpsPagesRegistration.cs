using InterimPlatform.Ops.Business;
using InterimPlatform.Ops.Messaging;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace InterimPlatform.Ops;

public static class OpsPagesRegistration
{
    /// <summary>
    /// What the Messaging and Business health pages need besides Fluent UI and interactive server components
    /// (registered by the host): their backends, each with its own HTTP client.
    /// </summary>
    /// <remarks>
    /// The clients are plain, long-lived ones rather than the factory's: the service defaults give every factory
    /// client the standard resilience handler, whose retries would repeat a move-back or a discard after a lost
    /// answer (and then report the message it just moved as gone), and whose timeouts and open circuit throw
    /// exceptions the pages do not expect. The pages refresh by themselves and say when something cannot be read,
    /// as the old dashboard's did. HTTP client telemetry (spans, trace context) applies to these clients as well.
    /// </remarks>
    public static IServiceCollection AddOpsPages(
        this IServiceCollection services,
        Action<MessagingOptions> configureMessaging,
        Action<BusinessOptions> configureBusiness)
    {
        services.Configure(configureMessaging);
        services.Configure(configureBusiness);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new BrokerQueues(Client(TimeSpan.FromSeconds(10)), sp.GetRequiredService<IOptions<MessagingOptions>>()));
        // It also remembers which service owns which queue for a while.
        services.AddSingleton(sp => new FailedMessageActions(Client(TimeSpan.FromSeconds(30)), sp.GetRequiredService<IOptions<MessagingOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new EngagementSla(Client(TimeSpan.FromSeconds(10)), sp.GetRequiredService<IOptions<BusinessOptions>>()));
        services.AddSingleton(sp => new PartnerIntake(Client(TimeSpan.FromSeconds(10)), sp.GetRequiredService<IOptions<BusinessOptions>>()));
        return services;
    }

    /// <summary>A client for the life of the service; pooled connections are renewed every two minutes.</summary>
    private static HttpClient Client(TimeSpan timeout) =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { Timeout = timeout };
}
