using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace InterimPlatform.Tests.Unit.Telemetry;

/// <summary>Health is logged as it changes: not ready while starting is no error, unhealthy after the start is, once.</summary>
public sealed class HealthTransitionsTests
{
    private readonly Clock _clock = new();
    private readonly Entries _log = new();

    [Fact]
    public async Task A_check_unhealthy_while_the_service_starts_is_information_and_an_error_only_after_the_start()
    {
        var health = new HealthTransitions(_clock, _log);

        await health.PublishAsync(Report(("masstransit-bus", HealthStatus.Unhealthy)), CancellationToken.None);
        await health.PublishAsync(Report(("masstransit-bus", HealthStatus.Unhealthy)), CancellationToken.None);
        await health.PublishAsync(Report(("masstransit-bus", HealthStatus.Healthy)), CancellationToken.None);
        await health.PublishAsync(Report(("masstransit-bus", HealthStatus.Unhealthy)), CancellationToken.None);
        await health.PublishAsync(Report(("masstransit-bus", HealthStatus.Unhealthy)), CancellationToken.None);
        await health.PublishAsync(Report(("masstransit-bus", HealthStatus.Degraded)), CancellationToken.None);

        Assert.Equal([LogLevel.Information, LogLevel.Information, LogLevel.Error, LogLevel.Warning], _log.Levels);
    }

    [Fact]
    public async Task A_service_that_never_becomes_healthy_logs_an_error_once_the_start_has_taken_too_long()
    {
        var health = new HealthTransitions(_clock, _log);
        await health.PublishAsync(Report(("candidatesdb", HealthStatus.Unhealthy)), CancellationToken.None);

        _clock.Advance(HealthTransitions.StartupGrace);
        await health.PublishAsync(Report(("candidatesdb", HealthStatus.Unhealthy)), CancellationToken.None);
        await health.PublishAsync(Report(("candidatesdb", HealthStatus.Unhealthy)), CancellationToken.None);

        Assert.Equal([LogLevel.Information, LogLevel.Error], _log.Levels);
    }

    private static HealthReport Report(params (string Name, HealthStatus Status)[] checks) =>
        new(checks.ToDictionary(c => c.Name, c => new HealthReportEntry(c.Status, c.Status.ToString(), TimeSpan.Zero, null, null)), TimeSpan.Zero);

    private sealed class Clock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    private sealed class Entries : ILogger<HealthTransitions>
    {
        public List<LogLevel> Levels { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) => Levels.Add(logLevel);
    }
}
