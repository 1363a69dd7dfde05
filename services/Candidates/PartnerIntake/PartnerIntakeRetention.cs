using InterimPlatform.Candidates.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace InterimPlatform.Candidates.PartnerIntake;

/// <summary>How long the partner intake's bookkeeping is kept (section <c>PartnerIntake</c>).</summary>
public sealed class PartnerIntakeRetentionOptions
{
    /// <summary>
    /// A rejection record only stops a redelivered message (a crash between the error copy and the acknowledgement)
    /// from being rejected twice; the broker redelivers within minutes. Kept as long as the inbox keeps consumed ids.
    /// </summary>
    public TimeSpan RejectionRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Per-minute tallies: longer than the tallies endpoint's 93-day window, so a year can be compared with the last.</summary>
    public TimeSpan TallyRetention { get; set; } = TimeSpan.FromDays(400);

    /// <summary>How often old rows are deleted.</summary>
    public TimeSpan RetentionSweepInterval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Deletes partner rejection records and intake tallies past their retention, like the outbox dispatcher prunes sent
/// events and consumed message ids. Every replica sweeps; deleting what another already deleted costs nothing.
/// </summary>
public sealed partial class PartnerIntakeRetention(
    IServiceScopeFactory scopes,
    TimeProvider time,
    IOptions<PartnerIntakeRetentionOptions> options,
    ILogger<PartnerIntakeRetention> logger) : BackgroundService
{
    /// <summary>Rows per statement: a long backlog (a first sweep after an upgrade) is deleted without one long lock.</summary>
    private const int Batch = 10_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RetentionSweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The next sweep catches up; old rows waiting an hour longer harm nothing.
                LogSweepFailed(e);
            }
        }
    }

    /// <summary>Deletes every row past its retention; returns how many rejections and tallies went.</summary>
    public async Task<(int Rejections, int Tallies)> SweepAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CandidatesDbContext>();
        var now = time.GetUtcNow();
        var rejectedBefore = now - options.Value.RejectionRetention;
        var talliedBefore = now - options.Value.TallyRetention;

        var rejections = await DeleteInBatchesAsync(ct => db.Database.ExecuteSqlAsync(
            $"DELETE FROM partner_rejections WHERE ctid IN (SELECT ctid FROM partner_rejections WHERE rejected_at < {rejectedBefore} LIMIT {Batch})", ct), cancellationToken);
        var tallies = await DeleteInBatchesAsync(ct => db.Database.ExecuteSqlAsync(
            $"DELETE FROM partner_intake_tallies WHERE ctid IN (SELECT ctid FROM partner_intake_tallies WHERE bucket_start < {talliedBefore} LIMIT {Batch})", ct), cancellationToken);

        if (rejections + tallies > 0)
        {
            LogSwept(rejections, tallies);
        }

        return (rejections, tallies);
    }

    private static async Task<int> DeleteInBatchesAsync(Func<CancellationToken, Task<int>> deleteBatch, CancellationToken cancellationToken)
    {
        int total = 0, deleted;
        do
        {
            deleted = await deleteBatch(cancellationToken);
            total += deleted;
        }
        while (deleted == Batch);

        return total;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Partner intake retention: deleted {Rejections} rejection record(s) and {Tallies} tally row(s)")]
    private partial void LogSwept(int rejections, int tallies);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partner intake retention sweep failed; the next one retries")]
    private partial void LogSweepFailed(Exception exception);
}
