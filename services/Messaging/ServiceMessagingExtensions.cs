using InterimPlatform.Messaging.Outbox;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace InterimPlatform.Messaging;

/// <summary>How a service gets its database (with the outbox) and its RabbitMQ connection.</summary>
public static class ServiceMessagingExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TDbContext"/> on PostgreSQL from <c>ConnectionStrings:{connectionName}</c>,
    /// with the outbox commit signal and a health check.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDbContext<TDbContext>(this IHostApplicationBuilder builder, string connectionName)
        where TDbContext : DbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not configured (the AppHost sets ConnectionStrings__{connectionName}).");
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<OutboxCommitInterceptor>();
        builder.Services.AddDbContext<TDbContext>((services, options) => options
            .UseNpgsql(connectionString)
            .AddInterceptors(services.GetRequiredService<OutboxCommitInterceptor>()));
        builder.Services.AddHealthChecks().AddDbContextCheck<TDbContext>(connectionName, tags: ["ready"]);
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>
    /// Configures MassTransit over RabbitMQ from <c>ConnectionStrings:messaging</c> (an <c>amqp://</c> URI),
    /// with queues named after the service, and the outbox dispatcher for <typeparamref name="TDbContext"/>.
    /// </summary>
    public static IHostApplicationBuilder AddServiceMessaging<TDbContext>(
        this IHostApplicationBuilder builder,
        string serviceName,
        Action<IBusRegistrationConfigurator>? configureConsumers = null)
        where TDbContext : DbContext
    {
        var uri = new Uri(builder.Configuration.GetConnectionString("messaging")
            ?? throw new InvalidOperationException("ConnectionStrings:messaging is not configured (the AppHost sets ConnectionStrings__messaging)."));
        var (user, password) = ParseUserInfo(uri);

        builder.Services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            x.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(serviceName, includeNamespace: false));
            configureConsumers?.Invoke(x);
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(uri.Host, (ushort)(uri.IsDefaultPort ? 5672 : uri.Port), "/", h =>
                {
                    h.Username(user);
                    h.Password(password);
                    h.PublisherConfirmation = true;
                });
                cfg.UseMessageRetry(r => r.Exponential(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(500)));
                cfg.ConfigureEndpoints(context);
            });
        });

        builder.Services.AddHostedService<OutboxDispatcher<TDbContext>>();
        return builder;
    }

    /// <summary>Applies the service's EF Core migrations (creating its tables) before it serves requests.</summary>
    public static async Task MigrateDatabaseAsync<TDbContext>(this WebApplication app) where TDbContext : DbContext
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        await db.Database.MigrateAsync(app.Lifetime.ApplicationStopping).ConfigureAwait(false);
    }

    /// <summary>
    /// The current time at PostgreSQL's precision (microseconds), so a value reads back exactly as it was written.
    /// </summary>
    public static DateTimeOffset GetUtcNowForStorage(this TimeProvider timeProvider)
    {
        var now = timeProvider.GetUtcNow();
        return now.AddTicks(-(now.Ticks % (TimeSpan.TicksPerMillisecond / 1000)));
    }

    private static (string User, string Password) ParseUserInfo(Uri uri)
    {
        var parts = uri.UserInfo.Split(':', 2);
        if (parts.Length != 2 || parts[0].Length == 0)
        {
            throw new InvalidOperationException("ConnectionStrings:messaging must carry credentials (amqp://user:password@host:port); there is no default user.");
        }

        return (Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts[1]));
    }
}
