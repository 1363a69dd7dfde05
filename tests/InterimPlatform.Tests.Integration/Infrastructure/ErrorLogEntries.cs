using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace InterimPlatform.Tests.Integration.Infrastructure;

/// <summary>One log entry at <c>Error</c> or <c>Critical</c>: where it came from and its text, stack trace included.</summary>
public sealed record ErrorLogEntry(string Source, string Level, string Text)
{
    public override string ToString() => $"[{Source}] {Level}: {Text}";
}

/// <summary>
/// Collects the <c>Error</c> and <c>Critical</c> entries of the platform: each service's console (the console
/// logger's <c>fail:</c> and <c>crit:</c> entries, read through Aspire's <see cref="ResourceLoggerService"/>, which
/// keeps a resource's lines from its first one on), PostgreSQL's and RabbitMQ's error lines, and the AppHost's own
/// loggers (DCP, the hosting integration, each resource's stderr).
/// </summary>
public sealed partial class ErrorLogEntries : ILoggerProvider
{
    private readonly ConcurrentQueue<ErrorLogEntry> _entries = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentBag<Task> _watches = [];

    private readonly ConcurrentDictionary<string, int> _linesRead = new();

    public IReadOnlyCollection<ErrorLogEntry> Entries => _entries;

    /// <summary>How many console lines were read of each resource: a watch that saw nothing proves nothing.</summary>
    public IReadOnlyDictionary<string, int> LinesRead => _linesRead;

    /// <summary>Reads every <paramref name="resources"/>' console from its start until <see cref="Dispose"/>.</summary>
    public void Watch(DistributedApplication app, IEnumerable<string> resources)
    {
        var logs = app.Services.GetRequiredService<ResourceLoggerService>();
        var wanted = resources.ToHashSet();
        foreach (var name in wanted)
        {
            _linesRead[name] = 0;
        }

        _watches.Add(Task.Run(async () =>
        {
            // A console is kept under the name DCP gives the resource's instance, known once it is created: the
            // first notification names it. DCP replays a console from its first line to a late watcher.
            var watched = new HashSet<string>();
            try
            {
                await foreach (var update in app.ResourceNotifications.WatchAsync(_stopping.Token))
                {
                    if (wanted.Contains(update.Resource.Name) && watched.Add(update.ResourceId))
                    {
                        _watches.Add(Task.Run(() => WatchAsync(logs, update.Resource.Name, update.ResourceId)));
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // disposed
            }
        }));
    }

    private async Task WatchAsync(ResourceLoggerService logs, string resource, string instance)
    {
        StringBuilder? entry = null;
        var level = "";
        try
        {
            await foreach (var lines in logs.WatchAsync(instance).WithCancellation(_stopping.Token))
            {
                _linesRead.AddOrUpdate(resource, lines.Count, (_, read) => read + lines.Count);
                foreach (var line in lines)
                {
                    var text = Timestamp().Replace(Ansi().Replace(line.Content, ""), "");
                    var header = ConsoleHeader().Match(text);
                    if (header.Success)
                    {
                        Flush();
                        if (header.Groups["level"].Value is "fail" or "crit")
                        {
                            level = header.Groups["level"].Value == "fail" ? "Error" : "Critical";
                            entry = new StringBuilder(header.Groups["rest"].Value);
                        }
                    }
                    else if (entry is not null && text.StartsWith(' '))
                    {
                        // The console logger indents the message and the stack trace under the entry's header.
                        entry.AppendLine().Append(text.Trim());
                    }
                    else
                    {
                        Flush();
                        if (ServerError().Match(text) is { Success: true } server)
                        {
                            // PostgreSQL's and RabbitMQ's own logs: a refused statement shows here too.
                            _entries.Enqueue(new ErrorLogEntry(resource, server.Groups["level"].Value.ToUpperInvariant(), text));
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // disposed
        }

        Flush();

        void Flush()
        {
            if (entry is not null)
            {
                _entries.Enqueue(new ErrorLogEntry(resource, level, entry.ToString()));
                entry = null;
            }
        }
    }

    /// <summary>Gives the consoles a moment to deliver what was written last, then stops reading them.</summary>
    public async Task StopWatchingAsync(TimeSpan settle)
    {
        await Task.Delay(settle);
        await _stopping.CancelAsync();
        while (_watches.Any(w => !w.IsCompleted))
        {
            await Task.WhenAll(_watches);
        }
    }

    public ILogger CreateLogger(string categoryName) => new AppHostLogger(this, categoryName);

    /// <summary>Stops reading; the AppHost disposes its logger providers too, so twice is fine.</summary>
    public void Dispose() => _stopping.Cancel();

    /// <summary>The timestamp Aspire has the console logger put before each line.</summary>
    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\S+ ")]
    private static partial Regex Timestamp();

    /// <summary>A console header, as the console logger writes it.</summary>
    [GeneratedRegex(@"^(?<level>trce|dbug|info|warn|fail|crit): (?<rest>.*)$")]
    private static partial Regex ConsoleHeader();

    /// <summary>PostgreSQL's <c>ERROR:</c>, <c>FATAL:</c> and <c>PANIC:</c> lines, RabbitMQ's <c>[error]</c> and <c>[critical]</c> ones.</summary>
    [GeneratedRegex(@"(?:\b(?<level>ERROR|FATAL|PANIC):\s)|(?:\[(?<level>error|critical)\])")]
    private static partial Regex ServerError();

    [GeneratedRegex(@"\x1B\[[0-9;]*m")]
    private static partial Regex Ansi();

    /// <summary>
    /// The AppHost's own entries at Error or above. Aspire forwards every resource's console to it too (the
    /// <c>.Resources.</c> categories), a line written to stderr at Error: so a server writing its routine lines to
    /// stderr shows here.
    /// </summary>
    private sealed class AppHostLogger(ErrorLogEntries owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner._entries.Enqueue(new ErrorLogEntry("apphost", logLevel.ToString(), $"{category}[{eventId.Id}]{Environment.NewLine}{formatter(state, exception)}{Environment.NewLine}{exception}"));
            }
        }
    }
}
