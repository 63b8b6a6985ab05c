using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpWarden.Fixture.Http;

/// <summary>
/// Replays a stream's events after the one a client last saw, then follows the stream while it is in
/// streaming mode. In polling mode a read ends once it has caught up, but it waits for at least one event
/// (a long poll): a client that comes back before the call's result exists gets the result, not an empty
/// response.
/// </summary>
internal sealed class StoredEventStreamReader(StoredEventStream stream, int firstIndex) : ISseEventStreamReader
{
    public string SessionId => stream.SessionId;

    public string StreamId => stream.StreamId;

    public async IAsyncEnumerable<SseItem<JsonRpcMessage?>> ReadEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var index = firstIndex;
        while (true)
        {
            var (events, completed, mode, changed) = stream.Read(index);
            foreach (var item in events)
            {
                yield return item;
            }

            index += events.Length;
            if (completed || (mode == SseEventStreamMode.Polling && index > firstIndex))
            {
                yield break;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }
}
