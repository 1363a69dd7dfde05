using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Logs each health check's changes of status, once per change, in place of the health check service's own entry per
/// check and run (<c>DefaultHealthCheckService</c> logs every Unhealthy result at Error, each time <c>/health</c> is
/// asked: every few seconds by Aspire, and always while a service starts, before its bus is connected).
/// While the service starts (until it is first healthy, for at most <see cref="StartupGrace"/>) a check that is not
/// healthy yet is logged at Information: not ready is not a fault. After that, Unhealthy is an Error (once, until the
/// check recovers), Degraded a Warning, and recovering Information.
/// </summary>
internal sealed partial class HealthTransitions(TimeProvider time, ILogger<HealthTransitions> logger) : IHealthCheckPublisher
{
    /// <summary>How long a service may take to become healthy before an unhealthy check is an error.</summary>
    public static readonly TimeSpan StartupGrace = TimeSpan.FromSeconds(90);

    private readonly DateTimeOffset _started = time.GetUtcNow();
    private readonly Dictionary<string, (HealthStatus Status, bool ErrorLogged)> _checks = [];
    private readonly Lock _gate = new();
    private bool _beenHealthy;

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var starting = !_beenHealthy && time.GetUtcNow() - _started < StartupGrace;
            foreach (var (name, entry) in report.Entries)
            {
                var (previous, errorLogged) = _checks.GetValueOrDefault(name, (HealthStatus.Healthy, false));
                var changed = entry.Status != previous;
                var description = entry.Description ?? entry.Exception?.Message;
                switch (entry.Status)
                {
                    case HealthStatus.Unhealthy when starting:
                        if (changed)
                        {
                            LogNotReadyYet(logger, name, description);
                        }

                        break;
                    case HealthStatus.Unhealthy:
                        if (!errorLogged)
                        {
                            LogUnhealthy(logger, entry.Exception, name, description);
                            errorLogged = true;
                        }

                        break;
                    case HealthStatus.Degraded:
                        errorLogged = false;
                        if (changed)
                        {
                            LogDegraded(logger, name, description);
                        }

                        break;
                    default:
                        errorLogged = false;
                        if (changed)
                        {
                            LogHealthy(logger, name, previous);
                        }

                        break;
                }

                _checks[name] = (entry.Status, errorLogged);
            }

            _beenHealthy |= report.Status == HealthStatus.Healthy;
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Health check {Check} is not ready yet while the service starts: {Description}")]
    private static partial void LogNotReadyYet(ILogger logger, string check, string? description);

    [LoggerMessage(Level = LogLevel.Error, Message = "Health check {Check} is unhealthy: {Description}")]
    private static partial void LogUnhealthy(ILogger logger, Exception? exception, string check, string? description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health check {Check} is degraded: {Description}")]
    private static partial void LogDegraded(ILogger logger, string check, string? description);

    [LoggerMessage(Level = LogLevel.Information, Message = "Health check {Check} is healthy again (was {Previous})")]
    private static partial void LogHealthy(ILogger logger, string check, HealthStatus previous);
}
