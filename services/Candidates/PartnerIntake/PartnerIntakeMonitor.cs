using System.Diagnostics.Metrics;
using InterimPlatform.Candidates.Data;
using InterimPlatform.Contracts.Partners;
using InterimPlatform.Messaging.Operations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace InterimPlatform.Candidates.PartnerIntake;

/// <summary>What the monitor read last.</summary>
/// <param name="ReadAt">When it read (or tried to).</param>
/// <param name="Partners">Each partner's totals over the window; empty when the read failed.</param>
/// <param name="Failure">Why the tallies could not be read; null when they were.</param>
public sealed record PartnerIntakeReading(DateTimeOffset ReadAt, IReadOnlyList<PartnerIntakeTotal> Partners, string? Failure);

/// <summary>
/// Reads every partner's totals over the last <see cref="PartnerIntakeHealth.Window"/> from the intake tallies (all
/// replicas' rows) every <see cref="PartnerIntakeHealthOptions.HealthRefreshInterval"/>, and keeps them for the
/// <c>interimplatform.partner_intake.rejection_ratio</c> gauge and the <c>partner-intake</c> health check: those are
/// asked often (every metrics export, every health probe) and must not each cost a query.
/// </summary>
public sealed partial class PartnerIntakeMonitor : BackgroundService
{
    public const string RejectionRatioGauge = "interimplatform.partner_intake.rejection_ratio";
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly IOptions<PartnerIntakeHealthOptions> _options;
    private readonly ILogger<PartnerIntakeMonitor> _logger;
    private volatile PartnerIntakeReading? _latest;

    public PartnerIntakeMonitor(IServiceScopeFactory scopes, TimeProvider time, IMeterFactory meters, IOptions<PartnerIntakeHealthOptions> options, ILogger<PartnerIntakeMonitor> logger)
    {
        _scopes = scopes;
        _time = time;
        _options = options;
        _logger = logger;
        meters.Create("InterimPlatform.Candidates").CreateObservableGauge(
            RejectionRatioGauge,
            Observe,
            "1",
            $"Each partner's rejected messages / all its messages over the last {PartnerIntakeHealth.Window.TotalMinutes:0} minutes (all replicas).");
    }

    /// <summary>The last reading; null before the first.</summary>
    public PartnerIntakeReading? Latest => _latest;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Value.HealthRefreshInterval, _time);
        do
        {
            await RefreshAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Reads the tallies once; a failure is kept as the reading (the health check says so), never thrown.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ReadTimeout);
            _latest = new PartnerIntakeReading(now, await ReadAsync(now, timeout.Token), null);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogReadFailed(e);
            _latest = new PartnerIntakeReading(now, [], e is OperationCanceledException ? $"no answer within {ReadTimeout.TotalSeconds:0} s" : e.GetBaseException().Message);
        }
    }

    /// <summary>The current minute and the ones before it, to make up the window (rows are per minute).</summary>
    private async Task<IReadOnlyList<PartnerIntakeTotal>> ReadAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var from = PartnerIntakeTallies.BucketOf(now) - (PartnerIntakeHealth.Window - PartnerIntakeTallies.Bucket);
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CandidatesDbContext>();
        var totals = await db.PartnerIntakeTallies.AsNoTracking()
            .Where(t => t.BucketStart >= from)
            .GroupBy(t => t.PartnerId)
            .Select(g => new { PartnerId = g.Key, Accepted = g.Sum(t => t.Accepted), Duplicate = g.Sum(t => t.Duplicate), Rejected = g.Sum(t => t.Rejected), Stale = g.Sum(t => t.Stale) })
            .ToListAsync(cancellationToken);
        return [.. totals.Select(t => new PartnerIntakeTotal(t.PartnerId, t.Accepted, t.Duplicate, t.Rejected, t.Stale)).OrderBy(t => t.PartnerId, StringComparer.Ordinal)];
    }

    /// <summary>One measurement per partner that sent anything in the window; none while the tallies cannot be read (no figure rather than an old one).</summary>
    private IEnumerable<Measurement<double>> Observe() =>
        _latest is { Failure: null } reading
            ? [.. reading.Partners.Select(PartnerIntakeHealth.RatioOf).Where(r => r.Messages > 0)
                .Select(r => new Measurement<double>(r.Ratio, new KeyValuePair<string, object?>("partner", r.PartnerId)))]
            : [];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the partner intake tallies for the rejection ratios")]
    private partial void LogReadFailed(Exception exception);
}

/// <summary>
/// <c>partner-intake</c>: degraded while some partner's rejection ratio over the last 15 minutes is above the
/// threshold (with enough messages to tell), or while the tallies cannot be read. Never unhealthy: the service
/// itself still serves, and <c>/health</c> still answers 200 (the gateway's failover reads the status code).
/// </summary>
public sealed class PartnerIntakeHealthCheck(PartnerIntakeMonitor monitor, IOptions<PartnerIntakeHealthOptions> options) : IHealthCheck
{
    public const string Name = "partner-intake";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var result = monitor.Latest switch
        {
            null => HealthCheckResult.Healthy("not read yet"),
            { Failure: { } failure } => HealthCheckResult.Degraded($"cannot read the intake tallies: {failure}"),
            var reading => Assess(reading),
        };
        return Task.FromResult(result);
    }

    private HealthCheckResult Assess(PartnerIntakeReading reading)
    {
        var assessment = PartnerIntakeHealth.Assess(reading.Partners, options.Value.RejectionRatioThreshold, options.Value.RejectionRatioMinimumMessages);
        return new HealthCheckResult(assessment.Status, assessment.Description);
    }
}

/// <summary>How Candidates wires up the partner intake.</summary>
public static class PartnerIntakeRegistration
{
    /// <summary>Why the partner intake's error queue cannot be replayed (the 409's detail, and shown in the error-queue list).</summary>
    public const string NotReplayableBecause =
        "Replaying cannot help: the intake would reject the message again, because a republished copy cannot carry the partner's " +
        "user_id (the broker accepts it only from the partner's own connection) and the message itself is invalid. The partner must " +
        "fix it and resend it with a new messageId; their receipt already lists the reasons.";

    /// <summary>
    /// The intake worker, its error queue in the error-queue API (discard only), the retention of its bookkeeping, and
    /// its health: the rejection-ratio gauge and the <c>partner-intake</c> health check.
    /// </summary>
    public static IHostApplicationBuilder AddPartnerIntake(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<PartnerIntakeWorker>();
        builder.Services.AddOperatedQueue(
            PartnerTopology.IntakeQueue,
            PartnerTopology.IntakeErrorQueue,
            NotReplayableBecause);

        builder.Services.AddOptions<PartnerIntakeHealthOptions>()
            .Bind(builder.Configuration.GetSection(PartnerIntakeHealthOptions.Section))
            .Validate(o => o.RejectionRatioThreshold is >= 0 and <= 1, "PartnerIntake:RejectionRatioThreshold must be between 0 and 1.")
            .Validate(o => o.RejectionRatioMinimumMessages >= 1, "PartnerIntake:RejectionRatioMinimumMessages must be at least 1.")
            .Validate(o => o.HealthRefreshInterval > TimeSpan.Zero, "PartnerIntake:HealthRefreshInterval must be positive.")
            .ValidateOnStart();
        builder.Services.AddOptions<PartnerIntakeRetentionOptions>()
            .Bind(builder.Configuration.GetSection(PartnerIntakeHealthOptions.Section))
            .Validate(o => o.RejectionRetention > TimeSpan.Zero && o.TallyRetention > TimeSpan.Zero, "PartnerIntake:RejectionRetention and TallyRetention must be positive.")
            .Validate(o => o.RetentionSweepInterval > TimeSpan.Zero, "PartnerIntake:RetentionSweepInterval must be positive.")
            .ValidateOnStart();
        builder.Services.AddHostedService<PartnerIntakeRetention>();
        builder.Services.AddSingleton<PartnerIntakeMonitor>();
        builder.Services.AddHostedService(services => services.GetRequiredService<PartnerIntakeMonitor>());
        // Not tagged "live": a partner's bad feed is no reason to restart the service.
        builder.Services.AddHealthChecks().AddCheck<PartnerIntakeHealthCheck>(PartnerIntakeHealthCheck.Name);
        return builder;
    }
}
