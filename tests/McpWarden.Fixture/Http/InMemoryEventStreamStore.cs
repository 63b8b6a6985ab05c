using System.Collections.Concurrent;
using System.Globalization;
using ModelContextProtocol.Server;

namespace McpWarden.Fixture.Http;

/// <summary>
/// Keeps every SSE event the transport writes, so a client that lost a stream can resume it with
/// <c>Last-Event-ID</c> (what <c>test_reconnection</c> exercises). Event ids are <c>{stream}-{index}</c>,
/// unique across sessions. A finished stream is forgotten after <see cref="Retention"/>.
/// </summary>
internal sealed class InMemoryEventStreamStore(TimeProvider time) : ISseEventStreamStore
{
    /// <summary>How long a finished stream stays readable.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<long, StoredEventStream> _streams = new();
    private long _lastStreamNumber;

    public ValueTask<ISseEventStreamWriter> CreateStreamAsync(SseEventStreamOptions options, CancellationToken cancellationToken = default)
    {
        var number = Interlocked.Increment(ref _lastStreamNumber);
        var stream = new StoredEventStream(number, options.SessionId, options.StreamId, options.Mode);
        _streams[number] = stream;
        return ValueTask.FromResult<ISseEventStreamWriter>(new StoredEventStreamWriter(stream, () => Forget(number)));
    }

    public ValueTask<ISseEventStreamReader?> GetStreamReaderAsync(string lastEventId, CancellationToken cancellationToken = default)
    {
        var separator = lastEventId.IndexOf('-', StringComparison.Ordinal);
        if (separator < 0
            || !long.TryParse(lastEventId.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || !int.TryParse(lastEventId.AsSpan(separator + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !_streams.TryGetValue(number, out var stream))
        {
            return ValueTask.FromResult<ISseEventStreamReader?>(null);
        }

        return ValueTask.FromResult<ISseEventStreamReader?>(new StoredEventStreamReader(stream, index + 1));
    }

    private void Forget(long number)
    {
        ITimer? timer = null;
        timer = time.CreateTimer(_ =>
        {
            _streams.TryRemove(number, out var _);
            timer?.Dispose();
        }, null, Retention, Timeout.InfiniteTimeSpan);
    }
}
