using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace InterimPlatform.Bench.Platform;

/// <summary>
/// What an Aspire app run inside a bench writes to the console: warnings and errors of Aspire itself, not the
/// failed health checks of a server that is still starting, nor every resource's own log (Aspire forwards each
/// resource's output to the logger as <c>{app}.Resources.{name}</c>), unless asked for.
/// </summary>
internal static class BenchLogging
{
    public static void Configure(ILoggingBuilder logging, bool resourceLogs)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o => o.SingleLine = true);
        logging.AddFilter<ConsoleLoggerProvider>((category, level) =>
            level >= LogLevel.Warning
            && category?.StartsWith("Microsoft.Extensions.Diagnostics.HealthChecks", StringComparison.Ordinal) != true
            && (resourceLogs || category?.Contains(".Resources.", StringComparison.Ordinal) != true));
    }
}
