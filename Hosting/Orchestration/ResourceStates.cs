using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading.Channels;

namespace InterimPlatform.Hosting.Orchestration;

/// <summary>Resource states, named as in .NET Aspire.</summary>
public static class KnownResourceStates
{
    public const string NotStarted = "NotStarted";
    public const string Waiting = "Waiting";
    public const string Starting = "Starting";
    public const string Running = "Running";
    public const string Stopping = "Stopping";
    public const string Exited = "Exited";
    public const string Finished = "Finished";
    public const string FailedToStart = "FailedToStart";
    public const string RuntimeUnhealthy = "RuntimeUnhealthy";
}

public enum HealthStatus
{
    Unknown,
    Unhealthy,
    Healthy,
}

/// <summary>What is known about one resource at one moment: the model the console and the dashboard show.</summary>
public sealed record ResourceSnapshot(string Name, string Type, string State)
{
    public HealthStatus Health { get; init; } = HealthStatus.Unknown;

    public int? ProcessId { get; init; }

    public int? ExitCode { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? StoppedAt { get; init; }

    public int Restarts { get; init; }

    public ImmutableArray<string> Urls { get; init; } = [];

    public ImmutableArray<string> WaitsFor { get; init; } = [];

    /// <summary>Environment the resource was started with (contains secrets: mask before showing).</summary>
    public ImmutableDictionary<string, string> Environment { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Why the resource is in its state, when that needs saying (a failure, what it waits for).</summary>
    public string? Reason { get; init; }
}

/// <summary>
/// The current snapshot of every resource and a stream of changes (Aspire's ResourceNotificationService).
/// </summary>
public sealed class ResourceStateStore
{
    private readonly ConcurrentDictionary<string, ResourceSnapshot> _snapshots = new(StringComparer.Ordinal);
    private readonly List<Channel<ResourceSnapshot>> _subscribers = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<ResourceSnapshot> Snapshots => [.. _snapshots.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];

    public ResourceSnapshot? Get(string name) => _snapshots.GetValueOrDefault(name);

    public ResourceSnapshot Update(string name, Func<ResourceSnapshot, ResourceSnapshot> change)
    {
        ResourceSnapshot updated;
        lock (_gate)
        {
            updated = change(_snapshots[name]);
            _snapshots[name] = updated;
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(updated);
            }
        }

        return updated;
    }

    internal void Add(ResourceSnapshot snapshot) => _snapshots[snapshot.Name] = snapshot;

    /// <summary>Every change from now on, until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async IAsyncEnumerable<ResourceSnapshot> WatchAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<ResourceSnapshot>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            _subscribers.Add(channel);
        }

        try
        {
            await foreach (var snapshot in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return snapshot;
            }
        }
        finally
        {
            lock (_gate)
            {
                _subscribers.Remove(channel);
            }
        }
    }
}

/// <summary>One line a resource wrote, numbered per resource from 1.</summary>
public sealed record ResourceLogLine(long Number, DateTimeOffset Timestamp, string Text, bool IsError);

/// <summary>
/// The last lines each resource wrote, kept in memory and in the state folder's <c>logs/</c>, with a
/// stream of new lines for live tails (the dashboard's console page).
/// </summary>
public sealed class ResourceLogStore(string? logDirectory, int capacity = 5000, TimeProvider? timeProvider = null)
{
    private readonly ConcurrentDictionary<string, ResourceLog> _logs = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public void Append(string resource, string line) => Append(resource, line, isError: false);

    public void Append(string resource, string line, bool isError)
    {
        var log = Log(resource);
        lock (log.Lines)
        {
            var entry = new ResourceLogLine(++log.Count, _time.GetUtcNow(), line, isError);
            log.Lines.Enqueue(entry);
            if (log.Lines.Count > capacity)
            {
                log.Lines.Dequeue();
            }

            log.File?.WriteLine(line);
            foreach (var subscriber in log.Subscribers)
            {
                // Unbounded: a slow reader costs memory only while its page is open, and the page
                // itself keeps a bounded number of lines.
                subscriber.Writer.TryWrite(entry);
            }
        }
    }

    public IReadOnlyList<string> Tail(string resource, int count) => [.. Lines(resource, count).Select(l => l.Text)];

    /// <summary>The last <paramref name="count"/> lines, oldest first.</summary>
    public IReadOnlyList<ResourceLogLine> Lines(string resource, int count)
    {
        if (!_logs.TryGetValue(resource, out var log))
        {
            return [];
        }

        lock (log.Lines)
        {
            return [.. log.Lines.Skip(Math.Max(0, log.Lines.Count - count))];
        }
    }

    /// <summary>Every line <paramref name="resource"/> writes from now on, until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async IAsyncEnumerable<ResourceLogLine> WatchAsync(string resource, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var log = Log(resource);
        var channel = Channel.CreateUnbounded<ResourceLogLine>(new UnboundedChannelOptions { SingleReader = true });
        lock (log.Lines)
        {
            log.Subscribers.Add(channel);
        }

        try
        {
            await foreach (var line in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return line;
            }
        }
        finally
        {
            lock (log.Lines)
            {
                log.Subscribers.Remove(channel);
            }
        }
    }

    public string? LogFile(string resource) => logDirectory is null ? null : Path.Combine(logDirectory, $"{resource}.log");

    private ResourceLog Log(string resource) => _logs.GetOrAdd(resource, name =>
    {
        StreamWriter? file = null;
        if (logDirectory is not null)
        {
            Directory.CreateDirectory(logDirectory);
            file = new StreamWriter(Path.Combine(logDirectory, $"{name}.log"), append: true) { AutoFlush = true };
        }

        return new ResourceLog(file);
    });

    private sealed class ResourceLog(StreamWriter? file)
    {
        public Queue<ResourceLogLine> Lines { get; } = new();

        public List<Channel<ResourceLogLine>> Subscribers { get; } = [];

        public StreamWriter? File { get; } = file;

        public long Count { get; set; }
    }
}
