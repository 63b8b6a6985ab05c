using System.Globalization;
using System.Net.ServerSentEvents;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpWarden.Fixture.Http;

/// <summary>The events of one SSE stream, in order, and a signal for readers waiting for more.</summary>
internal sealed class StoredEventStream(long number, string sessionId, string streamId, SseEventStreamMode mode)
{
    private readonly List<SseItem<JsonRpcMessage?>> _events = [];
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SseEventStreamMode _mode = mode;
    private bool _completed;

    public string SessionId => sessionId;

    public string StreamId => streamId;

    public SseItem<JsonRpcMessage?> Append(SseItem<JsonRpcMessage?> item)
    {
        lock (_gate)
        {
            var stored = item with { EventId = string.Create(CultureInfo.InvariantCulture, $"{number}-{_events.Count}") };
            _events.Add(stored);
            Signal();
            return stored;
        }
    }

    public void SetMode(SseEventStreamMode newMode)
    {
        lock (_gate)
        {
            _mode = newMode;
            Signal();
        }
    }

    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            Signal();
        }
    }

    /// <summary>
    /// The events from <paramref name="index"/> on that exist now, whether the stream is finished, its mode,
    /// and a task that completes when anything changes.
    /// </summary>
    public (SseItem<JsonRpcMessage?>[] Events, bool Completed, SseEventStreamMode Mode, Task Changed) Read(int index)
    {
        lock (_gate)
        {
            var events = index < _events.Count ? _events[index..].ToArray() : [];
            return (events, _completed, _mode, _changed.Task);
        }
    }

    private void Signal()
    {
        // INVARIANT: called under _gate; readers holding the old task wake up and read again.
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.SetResult();
    }
}
