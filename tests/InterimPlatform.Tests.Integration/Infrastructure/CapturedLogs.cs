using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace InterimPlatform.Tests.Integration.Infrastructure;

/// <summary>One captured log entry.</summary>
public sealed record CapturedLogEntry(LogLevel Level, string Category, EventId EventId, string Message, Exception? Exception)
{
    public override string ToString() => $"{Level} {Category}[{EventId.Id}]: {Message}{(Exception is null ? "" : Environment.NewLine + Exception)}";
}

/// <summary>
/// Every entry an in-process service logs, whatever its configured levels (a provider of its own sees what the
/// filters let through to any provider: Information and above here, Error always).
/// </summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLogEntry> _entries = new();

    public IReadOnlyCollection<CapturedLogEntry> Entries => _entries;

    /// <summary>The entries at Error or Critical.</summary>
    public IReadOnlyList<CapturedLogEntry> Errors => [.. _entries.Where(e => e.Level >= LogLevel.Error)];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue(new CapturedLogEntry(logLevel, category, eventId, formatter(state, exception), exception));
    }
}
