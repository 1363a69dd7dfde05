using InterimPlatform.Messaging.Operations;
using InterimPlatform.Messaging.Outbox;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace InterimPlatform.Messaging;

/// <summary>Retry and queue settings, from the <c>Messaging</c> configuration section.</summary>
public sealed class MessagingOptions
{
    /// <summary>Immediate retries for transient faults (deadlocks, serialization failures, timeouts).</summary>
    public int ImmediateRetries { get; set; } = 3;

    /// <summary>Further attempts with exponentially growing delays before a message goes to the error queue.</summary>
    public int DelayedRetries { get; set; } = 4;

    /// <summary>
    /// Attempts, with the same growing delays, while the failure is transient (the database restarting or out
    /// of reach): together they outlast an outage of about four minutes, so a valid message waits instead of
    /// landing in the error queue because PostgreSQL was down.
    /// </summary>
    public int TransientRetries { get; set; } = 20;

    public TimeSpan MinRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary><c>classic</c> (default, one node) or <c>quorum</c> (a cluster): see docs/messaging.md.</summary>
    public string QueueType { get; set; } = "classic";

    /// <summary>Whether queues are quorum queues (<see cref="QueueType"/> is <c>quorum</c>).</summary>
    public bool QuorumQueues => string.Equals(QueueType, "quorum", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The arguments a queue the service declares itself (with the plain AMQP client, outside MassTransit) needs to be
    /// of <see cref="QueueType"/>: <c>x-queue-type</c> for a quorum queue, none for a classic one (RabbitMQ's default,
    /// so a queue declared before this option existed is declared exactly as it was).
    /// </summary>
    public IDictionary<string, object?>? QueueArguments => QuorumQueues ? new Dictionary<string, object?> { ["x-queue-type"] = "quorum" } : null;

    /// <summary>Run the outbox dispatcher in this process (off for an instance that must only consume).</summary>
    public bool DispatchOutbox { get; set; } = true;
}

/// <summary>How a service gets its database (with the outbox and inbox) and its RabbitMQ connection.</summary>
public static class ServiceMessagingExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TDbContext"/> on PostgreSQL from <c>ConnectionStrings:{connectionName}</c>,
    /// with the outbox commit signal, and health checks for the database and the outbox backlog.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDbContext<TDbContext>(this IHostApplicationBuilder builder, string connectionName)
        where TDbContext : DbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not configured (the AppHost sets ConnectionStrings__{connectionName}).");
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<OutboxCommitInterceptor>();
        builder.Services.AddSingleton<OutboxMonitor>();
        builder.Services.AddDbContext<TDbContext>((services, options) => options
            .UseServiceDatabase(connectionString)
            .AddInterceptors(services.GetRequiredService<OutboxCommitInterceptor>()));
        builder.Services.AddHealthChecks()
            .AddDbContextCheck<TDbContext>(connectionName, tags: ["ready"])
            .AddCheck<OutboxHealthCheck<TDbContext>>("outbox", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// Configures MassTransit over RabbitMQ from <c>ConnectionStrings:messaging</c> (an <c>amqp://</c> URI):
    /// queues named after the service, retries, error queues and their operations, and the outbox
    /// dispatcher for <typeparamref name="TDbContext"/>.
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
        var options = builder.Configuration.GetSection("Messaging").Get<MessagingOptions>() ?? new MessagingOptions();
        var quorum = options.QuorumQueues;
        builder.Services.AddSingleton(options);
        var queues = new ServiceQueues();
        builder.Services.AddSingleton(queues);
        // For the service's own plain-AMQP work; its users reconnect themselves, so no automatic recovery.
        builder.Services.AddSingleton(new RabbitMQ.Client.ConnectionFactory { Uri = uri, ClientProvidedName = $"{serviceName} operations", AutomaticRecoveryEnabled = false });
        builder.Services.AddSingleton<ErrorQueues>();

        builder.Services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            x.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(serviceName, includeNamespace: false));
            x.AddConfigureEndpointsCallback((_, queue, endpoint) =>
            {
                queues.Add(queue);
                // No Fault<T> events: nothing subscribes to them, and publishing one would need write (and configure)
                // on MassTransit:Fault--… exchanges outside the service's own names, which its broker user does not have.
                endpoint.PublishFaults = false;
                if (quorum && endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                {
                    rabbit.SetQuorumQueue();
                }
            });
            configureConsumers?.Invoke(x);
            x.UsingRabbitMq((context, cfg) =>
            {
                // The bus endpoint's temporary queue (and exchange) under the service's own names: MassTransit's default,
                // {machine}_{process}_bus_{id}, would fall outside what the service's broker user may declare and read.
                // Unique per instance, since replicas must not share it.
                cfg.OverrideDefaultBusEndpointQueueName($"{serviceName}-bus-{Guid.NewGuid():N}");
                cfg.Host(uri.Host, (ushort)(uri.IsDefaultPort ? 5672 : uri.Port), "/", h =>
                {
                    h.Username(user);
                    h.Password(password);
                    h.PublisherConfirmation = true;
                    h.ConnectionName(serviceName);
                });
                // Two policies for two kinds of fault (each exception is handled by exactly one): anything else gets a
                // few attempts with growing delays; a transient fault gets immediate retries, then many more with the
                // same growing delays, to outlast a database outage. The delays are in memory (Debian's RabbitMQ has
                // no delayed-exchange plugin). A validation failure is never retried.
                cfg.UseMessageRetry(r =>
                {
                    r.Handle<Exception>(e => e is not MessageValidationException && !TransientFaults.IsTransient(e));
                    r.Exponential(options.DelayedRetries, options.MinRetryDelay, options.MaxRetryDelay, options.MinRetryDelay);
                });
                cfg.UseMessageRetry(r =>
                {
                    r.Handle<Exception>(TransientFaults.IsTransient);
                    r.Intervals([.. TransientRetryDelays(options)]);
                });
                cfg.ConfigureEndpoints(context);
            });
        });

        if (options.DispatchOutbox)
        {
            builder.Services.AddHostedService<OutboxDispatcher<TDbContext>>();
        }

        return builder;
    }

    /// <summary>Immediate retries, then delays doubling from the minimum up to the maximum.</summary>
    private static IEnumerable<TimeSpan> TransientRetryDelays(MessagingOptions options) =>
        Enumerable.Repeat(TimeSpan.Zero, options.ImmediateRetries)
            .Concat(Enumerable.Range(0, options.TransientRetries).Select(i => TimeSpan.FromTicks(Math.Min(options.MaxRetryDelay.Ticks, options.MinRetryDelay.Ticks << Math.Min(i, 30)))));

    /// <summary>
    /// PostgreSQL with snake_case names: how every service maps its model (also at design time). Its units of work
    /// run under the <see cref="ServiceExecutionStrategy"/> (a few quick retries on a failed connection, never once
    /// something may have committed), and every database failure records whether anything may have been applied
    /// (<see cref="DatabaseOutcome"/>).
    /// </summary>
    public static DbContextOptionsBuilder UseServiceDatabase(this DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, npgsql => npgsql.ExecutionStrategy(CreateExecutionStrategy))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(CommitTrackingInterceptor.Instance);

    /// <inheritdoc cref="UseServiceDatabase(DbContextOptionsBuilder, string)"/>
    public static DbContextOptionsBuilder<TDbContext> UseServiceDatabase<TDbContext>(this DbContextOptionsBuilder<TDbContext> options, string connectionString)
        where TDbContext : DbContext =>
        (DbContextOptionsBuilder<TDbContext>)UseServiceDatabase((DbContextOptionsBuilder)options, connectionString);

    private static ServiceExecutionStrategy CreateExecutionStrategy(ExecutionStrategyDependencies dependencies) => new(dependencies);

    /// <summary>
    /// Applies the service's EF Core migrations (creating its tables) before it serves requests. Replicas of a
    /// service start together against one database: a session advisory lock lets one migrate while the others
    /// wait, then find nothing left to do (without it, both create the same tables and one crashes).
    /// </summary>
    public static async Task MigrateDatabaseAsync<TDbContext>(this WebApplication app) where TDbContext : DbContext
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var stopping = app.Lifetime.ApplicationStopping;
        // Unpooled: closing it ends the session, which releases the lock also when the migration fails (a pooled
        // connection would keep the session, and the lock, until it is reused).
        await using var gate = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false }.ConnectionString);
        await gate.OpenAsync(stopping).ConfigureAwait(false);
        // No command timeout: another replica's migration may take a while; stopping the service still cancels.
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLockKey})", gate) { CommandTimeout = 0 })
        {
            await lockCommand.ExecuteNonQueryAsync(stopping).ConfigureAwait(false);
        }

        // On a fresh database EF's migrator reads the history table before it creates it: PostgreSQL refuses the
        // SELECT ("relation __EFMigrationsHistory does not exist"), EF logs that at Error, then carries on. Creating the
        // table first, with EF's own idempotent script and under the lock, leaves a clean first start clean.
        await db.Database.ExecuteSqlRawAsync(db.GetService<IHistoryRepository>().GetCreateIfNotExistsScript(), stopping).ConfigureAwait(false);
        await db.Database.MigrateAsync(stopping).ConfigureAwait(false);
    }

    /// <summary>Any fixed number: the lock is per database, and only migrations take it.</summary>
    private const long MigrationLockKey = 0x1E7E_41A7_0001;

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
