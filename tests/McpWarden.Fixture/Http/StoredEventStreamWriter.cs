using System.Net.ServerSentEvents;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpWarden.Fixture.Http;

/// <summary>What the transport writes one stream's events through.</summary>
internal sealed class StoredEventStreamWriter(StoredEventStream stream, Action onDisposed) : ISseEventStreamWriter
{
    public ValueTask SetModeAsync(SseEventStreamMode mode, CancellationToken cancellationToken = default)
    {
        stream.SetMode(mode);
        return ValueTask.CompletedTask;
    }

    public ValueTask<SseItem<JsonRpcMessage?>> WriteEventAsync(SseItem<JsonRpcMessage?> sseItem, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(sseItem.EventId is null ? stream.Append(sseItem) : sseItem);

    public ValueTask DisposeAsync()
    {
        stream.Complete();
        onDisposed();
        return ValueTask.CompletedTask;
    }
}
