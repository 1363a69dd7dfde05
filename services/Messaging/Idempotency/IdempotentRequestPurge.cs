using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace InterimPlatform.Messaging.Idempotency;

/// <summary>
/// Deletes expired keys and their answers, at start and then every <see cref="IdempotencyOptions.PurgeInterval"/>,
/// as the outbox dispatcher deletes sent events and old inbox entries. (An expired key not yet purged is already
/// treated as unknown: the purge only keeps the table small.)
/// </summary>
public sealed partial class IdempotentRequestPurge<TDbContext>(
    IServiceScopeFactory scopes, TimeProvider time, IOptions<IdempotencyOptions> options, ILogger<IdempotentRequestPurge<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    /// <summary>Deletes every key that has expired by now; returns how many.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var now = time.GetUtcNow();
        return await db.Database.ExecuteSqlAsync($"DELETE FROM idempotent_requests WHERE expires_at <= {now}", cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval, time);
        do
        {
            try
            {
                var purged = await PurgeAsync(stoppingToken).ConfigureAwait(false);
                if (purged > 0)
                {
                    LogPurged(logger, purged);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database may be down; the next round tries again.
                LogPurgeFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} expired idempotency keys")]
    private static partial void LogPurged(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging expired idempotency keys failed; trying again at the next interval")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
