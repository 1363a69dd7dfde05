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
    public static IServiceCollection AddOpsPages(
        this IServiceCollection services,
        Action<MessagingOptions> configureMessaging,
        Action<BusinessOptions> configureBusiness)
    {
        services.Configure(configureMessaging);
        services.Configure(configureBusiness);
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(nameof(BrokerQueues), c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddHttpClient(nameof(EngagementSla), c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddHttpClient(nameof(PartnerIntake), c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddTransient(sp => new BrokerQueues(Client(sp, nameof(BrokerQueues)), sp.GetRequiredService<IOptions<MessagingOptions>>()));
        // A singleton: it remembers which service owns which queue for a while. Its client is its own, not the
        // factory's: the service defaults give every factory client a retry handler, and moving back or discarding
        // must not be repeated (a retry after a lost answer would report a message it just moved as "no longer there").
        services.AddSingleton(sp => new FailedMessageActions(
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { Timeout = TimeSpan.FromSeconds(30) },
            sp.GetRequiredService<IOptions<MessagingOptions>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddTransient(sp => new EngagementSla(Client(sp, nameof(EngagementSla)), sp.GetRequiredService<IOptions<BusinessOptions>>()));
        services.AddTransient(sp => new PartnerIntake(Client(sp, nameof(PartnerIntake)), sp.GetRequiredService<IOptions<BusinessOptions>>()));
        return services;
    }

    private static HttpClient Client(IServiceProvider services, string name) => services.GetRequiredService<IHttpClientFactory>().CreateClient(name);
}
