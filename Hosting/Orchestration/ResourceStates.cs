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

/// <summary>The last lines each resource wrote, kept in memory and in the state folder's <c>logs/</c>.</summary>
public sealed class ResourceLogStore(string? logDirectory, int capacity = 5000)
{
    private readonly ConcurrentDictionary<string, (Queue<string> Lines, StreamWriter? File)> _logs = new(StringComparer.Ordinal);

    public void Append(string resource, string line)
    {
        var log = _logs.GetOrAdd(resource, name =>
        {
            StreamWriter? file = null;
            if (logDirectory is not null)
            {
                Directory.CreateDirectory(logDirectory);
                file = new StreamWriter(Path.Combine(logDirectory, $"{name}.log"), append: true) { AutoFlush = true };
            }

            return (new Queue<string>(), file);
        });
        lock (log.Lines)
        {
            log.Lines.Enqueue(line);
            if (log.Lines.Count > capacity)
            {
                log.Lines.Dequeue();
            }

            log.File?.WriteLine(line);
        }
    }

    public IReadOnlyList<string> Tail(string resource, int count)
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

    public string? LogFile(string resource) => logDirectory is null ? null : Path.Combine(logDirectory, $"{resource}.log");
}
