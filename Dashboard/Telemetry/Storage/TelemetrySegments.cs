using System.Buffers.Binary;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace InterimPlatform.Dashboard.Telemetry.Storage;

/// <summary>
/// Received OTLP export requests, persisted as they arrived: per signal, rolling segment files
/// (<c>traces-0000000001.seg</c>, …) of records <c>[uint32 length][int64 received, Unix ms][request bytes]</c>,
/// little-endian. A background writer appends (receivers only queue), a new segment starts at every start and once a
/// segment holds as many items as a resource may keep, and a segment is deleted once the newer ones hold enough of
/// every resource it has data of to refill the store without it. A torn record (a crash mid-write) ends that file's
/// replay; it is never fatal.
/// </summary>
internal sealed class TelemetrySegments : IAsyncDisposable
{
    private const int HeaderLength = 12;
    private const int MaxRecordLength = 256 * 1024 * 1024;
    private const int MetricPointsPerSegment = 100_000;

    private readonly TelemetryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _directory;
    private readonly Channel<PendingRecord> _pending = Channel.CreateBounded<PendingRecord>(
        new BoundedChannelOptions(4_096) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Dictionary<TelemetrySignal, List<Segment>> _segments = new()
    {
        [TelemetrySignal.Traces] = [],
        [TelemetrySignal.Logs] = [],
        [TelemetrySignal.Metrics] = [],
    };
    private readonly Dictionary<TelemetrySignal, (Segment Segment, FileStream Stream)> _open = [];
    private Task? _writer;

    public TelemetrySegments(TelemetryOptions options, TimeProvider time, ILogger logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _directory = Path.GetFullPath(options.StorageDirectory!);
    }

    /// <summary>Replays every persisted request, oldest first across signals, then starts the writer.</summary>
    /// <returns>The number of requests replayed.</returns>
    public async Task<int> OpenAsync(Action<TelemetrySignal, byte[], DateTimeOffset, long> replay, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_directory);
        var signals = new List<SignalReader>();
        foreach (var signal in _segments.Keys)
        {
            foreach (var path in Directory.EnumerateFiles(_directory, $"{Prefix(signal)}-*.seg"))
            {
                if (long.TryParse(Path.GetFileNameWithoutExtension(path)[(Prefix(signal).Length + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                {
                    _segments[signal].Add(new Segment(signal, number, path) { Bytes = new FileInfo(path).Length });
                }
            }
            _segments[signal].Sort((a, b) => a.Number.CompareTo(b.Number));
            signals.Add(new SignalReader(_segments[signal], _logger));
        }

        var replayed = 0;
        try
        {
            // Interleave signals by the time they were received, so resources are recognised in the order they were live.
            var heads = new List<(SignalReader Reader, Segment Segment, Record Record)>();
            foreach (var reader in signals)
            {
                if (await reader.NextAsync(cancellationToken) is { } head)
                {
                    heads.Add((reader, head.Segment, head.Record));
                }
            }
            while (heads.Count > 0)
            {
                var index = 0;
                for (var i = 1; i < heads.Count; i++)
                {
                    if (heads[i].Record.ReceivedAt < heads[index].Record.ReceivedAt)
                    {
                        index = i;
                    }
                }
                var (reader, segment, record) = heads[index];
                replay(segment.Signal, record.Payload, record.ReceivedAt, segment.Number);
                segment.LastReceived = record.ReceivedAt;
                replayed++;
                if (await reader.NextAsync(cancellationToken) is { } next)
                {
                    heads[index] = (reader, next.Segment, next.Record);
                }
                else
                {
                    heads.RemoveAt(index);
                }
            }
        }
        finally
        {
            foreach (var reader in signals)
            {
                await reader.DisposeAsync();
            }
        }

        foreach (var signal in _segments.Keys)
        {
            Prune(signal);
        }
        _writer = Task.Run(WriteAsync, CancellationToken.None);
        return replayed;
    }

    /// <summary>Counts what a replayed record stored per resource, for retention.</summary>
    public void Account(TelemetrySignal signal, long segmentNumber, Dictionary<string, int> counts)
    {
        var segment = _segments[signal].First(segment => segment.Number == segmentNumber);
        segment.Add(counts);
    }

    public ValueTask AppendAsync(TelemetrySignal signal, byte[] request, DateTimeOffset receivedAt, Dictionary<string, int> counts,
        CancellationToken cancellationToken) =>
        _pending.Writer.WriteAsync(new PendingRecord(signal, request, receivedAt, counts), cancellationToken);

    private async Task WriteAsync()
    {
        var header = new byte[HeaderLength];
        var reader = _pending.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var record))
            {
                try
                {
                    var (segment, stream) = Current(record.Signal);
                    BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)record.Payload.Length);
                    BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(4), record.ReceivedAt.ToUnixTimeMilliseconds());
                    await stream.WriteAsync(header);
                    await stream.WriteAsync(record.Payload);
                    segment.Bytes += HeaderLength + record.Payload.Length;
                    segment.LastReceived = record.ReceivedAt;
                    segment.Add(record.Counts);
                    if (segment.Items >= RotateAt(record.Signal))
                    {
                        await CloseAsync(record.Signal);
                        Prune(record.Signal);
                    }
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    // A full or read-only disk costs persistence, never the receiver: the telemetry stays in memory.
                    _logger.LogError(exception, "Could not persist a {Signal} request in {Directory}", record.Signal, _directory);
                }
            }
            foreach (var (_, stream) in _open.Values)
            {
                try
                {
                    await stream.FlushAsync();
                }
                catch (IOException exception)
                {
                    _logger.LogError(exception, "Could not flush telemetry segments in {Directory}", _directory);
                }
            }
        }
        foreach (var signal in _open.Keys.ToList())
        {
            await CloseAsync(signal);
        }
    }

    private int RotateAt(TelemetrySignal signal) => signal switch
    {
        TelemetrySignal.Traces => _options.MaxTracesPerResource,
        TelemetrySignal.Logs => _options.MaxLogsPerResource,
        _ => MetricPointsPerSegment,
    };

    private (Segment Segment, FileStream Stream) Current(TelemetrySignal signal)
    {
        if (_open.TryGetValue(signal, out var current))
        {
            return current;
        }
        var segments = _segments[signal];
        var number = segments.Count == 0 ? 1 : segments[^1].Number + 1;
        var segment = new Segment(signal, number, Path.Combine(_directory, $"{Prefix(signal)}-{number:D10}.seg"));
        var stream = new FileStream(segment.Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 64 * 1024, useAsync: true);
        segments.Add(segment);
        return _open[signal] = (segment, stream);
    }

    private async Task CloseAsync(TelemetrySignal signal)
    {
        if (_open.Remove(signal, out var current))
        {
            await current.Stream.DisposeAsync();
        }
    }

    /// <summary>Deletes closed segments the store can do without: superseded per resource, past the metrics window, or over the byte bound.</summary>
    private void Prune(TelemetrySignal signal)
    {
        var segments = _segments[signal];
        var open = _open.TryGetValue(signal, out var current) ? current.Segment : null;
        var obsolete = new HashSet<Segment>();
        if (signal == TelemetrySignal.Metrics)
        {
            var oldest = _time.GetUtcNow() - _options.MetricsRetention;
            obsolete.UnionWith(segments.Where(segment => segment != open && segment.LastReceived < oldest));
        }
        else
        {
            var capacity = RotateAt(signal);
            var newer = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = segments.Count - 1; i >= 0; i--)
            {
                var segment = segments[i];
                if (segment != open && segment.Counts.Keys.All(key => newer.GetValueOrDefault(key) >= capacity))
                {
                    obsolete.Add(segment);
                }
                foreach (var (key, count) in segment.Counts)
                {
                    newer[key] = newer.GetValueOrDefault(key) + count;
                }
            }
        }
        var bytes = segments.Where(segment => !obsolete.Contains(segment)).Sum(segment => segment.Bytes);
        foreach (var segment in segments)
        {
            if (bytes <= _options.MaxStorageBytesPerSignal)
            {
                break;
            }
            if (segment != open && obsolete.Add(segment))
            {
                bytes -= segment.Bytes;
            }
        }
        foreach (var segment in obsolete)
        {
            try
            {
                File.Delete(segment.Path);
                segments.Remove(segment);
            }
            catch (IOException exception)
            {
                _logger.LogWarning(exception, "Could not delete the telemetry segment {Path}", segment.Path);
            }
        }
    }

    private static string Prefix(TelemetrySignal signal) => signal.ToString().ToLowerInvariant();

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer;
        }
    }

    internal IReadOnlyList<string> SegmentPaths(TelemetrySignal signal) => _segments[signal].Select(segment => segment.Path).ToList();

    private sealed record PendingRecord(TelemetrySignal Signal, byte[] Payload, DateTimeOffset ReceivedAt, Dictionary<string, int> Counts);

    private sealed record Record(byte[] Payload, DateTimeOffset ReceivedAt);

    private sealed class Segment(TelemetrySignal signal, long number, string path)
    {
        public TelemetrySignal Signal { get; } = signal;
        public long Number { get; } = number;
        public string Path { get; } = path;
        public long Bytes { get; set; }
        public DateTimeOffset LastReceived { get; set; }

        /// <summary>Items (traces first seen, log records, data points) per resource key.</summary>
        public Dictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);

        public long Items { get; private set; }

        public void Add(Dictionary<string, int> counts)
        {
            foreach (var (key, count) in counts)
            {
                Counts[key] = Counts.GetValueOrDefault(key) + count;
                Items += count;
            }
        }
    }

    /// <summary>One signal's segments read one after the other.</summary>
    private sealed class SignalReader(List<Segment> segments, ILogger logger) : IAsyncDisposable
    {
        private int _index;
        private SegmentReader? _current;

        public async Task<(Segment Segment, Record Record)?> NextAsync(CancellationToken cancellationToken)
        {
            while (_index < segments.Count)
            {
                _current ??= new SegmentReader(segments[_index], logger);
                if (await _current.ReadAsync(cancellationToken) is { } record)
                {
                    return (_current.Segment, record);
                }
                await _current.DisposeAsync();
                _current = null;
                _index++;
            }
            return null;
        }

        public async ValueTask DisposeAsync()
        {
            if (_current is not null)
            {
                await _current.DisposeAsync();
            }
        }
    }

    private sealed class SegmentReader(Segment segment, ILogger logger) : IAsyncDisposable
    {
        private readonly byte[] _header = new byte[HeaderLength];
        private FileStream? _stream;
        private bool _done;

        public Segment Segment { get; } = segment;

        public async Task<Record?> ReadAsync(CancellationToken cancellationToken)
        {
            if (_done)
            {
                return null;
            }
            _stream ??= new FileStream(Segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024, useAsync: true);
            var read = await _stream.ReadAtLeastAsync(_header, HeaderLength, throwOnEndOfStream: false, cancellationToken);
            if (read == 0)
            {
                return Finish(null);
            }
            var length = BinaryPrimitives.ReadUInt32LittleEndian(_header);
            if (read < HeaderLength || length > MaxRecordLength)
            {
                return Finish("a torn or damaged record header");
            }
            var payload = new byte[length];
            if (await _stream.ReadAtLeastAsync(payload, payload.Length, throwOnEndOfStream: false, cancellationToken) < payload.Length)
            {
                return Finish("a torn record");
            }
            return new Record(payload, DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(_header.AsSpan(4))));
        }

        private Record? Finish(string? damage)
        {
            _done = true;
            if (damage is not null)
            {
                // Expected after a crash mid-write: everything before it is kept.
                logger.LogWarning("Telemetry segment {Path} ends with {Damage} at byte {Position}; the rest of it is skipped",
                    Segment.Path, damage, _stream?.Position);
            }
            return null;
        }

        public async ValueTask DisposeAsync()
        {
            if (_stream is not null)
            {
                await _stream.DisposeAsync();
            }
        }
    }
}
