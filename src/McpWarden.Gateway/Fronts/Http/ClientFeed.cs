using System.Threading.Channels;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Fronts.Http;

/// <summary>
/// One HTTP response that carries messages to the client: the stream of a POSTed request (ending with its
/// answer) or the session's GET stream. The relay writes, the HTTP side reads; a bounded buffer means a
/// slow client slows its own session and nobody else's.
/// </summary>
public sealed class ClientFeed
{
    private const int Capacity = 256;

    private readonly Channel<JsonRpcMessage> _messages = Channel.CreateBounded<JsonRpcMessage>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>What to write to the response, in order; it completes when the stream has said everything.</summary>
    public ChannelReader<JsonRpcMessage> Messages => _messages.Reader;

    /// <summary>True once the client went away or the stream ended; nothing more is written to it.</summary>
    public bool IsClosed => _messages.Reader.Completion.IsCompleted || _closed;

    private volatile bool _closed;

    /// <summary>The HTTP side is gone (the client disconnected); what was meant for it is dropped from now on.</summary>
    public void Abandon()
    {
        _closed = true;
        _messages.Writer.TryComplete();
        while (_messages.Reader.TryRead(out _))
        {
        }
    }

    /// <summary>Queues one message; false when the stream is closed, so the caller can send it elsewhere.</summary>
    internal async ValueTask<bool> TryWriteAsync(JsonRpcMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await _messages.Writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ChannelClosedException)
        {
            return false;
        }
    }

    /// <summary>Queues one message if there is room, never waiting (for last words, when nobody may be reading).</summary>
    internal bool TryWriteNow(JsonRpcMessage message) => _messages.Writer.TryWrite(message);

    /// <summary>Nothing more will be written: the reader ends after what is queued.</summary>
    internal void Complete() => _messages.Writer.TryComplete();
}
