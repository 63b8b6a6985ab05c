using System.Threading.Channels;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Upstreams;

/// <summary>
/// One session's connection to a <see cref="SharedServer"/>: to the session it is a transport like any other.
/// It reads what the shared server routed to it; it ends when the server's process ends or the session closes it.
/// </summary>
internal sealed class SharedServerLease : ITransport
{
    private readonly SharedServer _server;
    // The session's relay runs on in the shared reader's thread until it next waits: a hand-off to the thread pool
    // here would put a second wake-up on every answer (the SDK's reader already hands each message over once). The
    // relay never waits on the shared reader, and what it must not do inline (vetting a tool list) it starts apart.
    private readonly Channel<JsonRpcMessage> _messages = Channel.CreateUnbounded<JsonRpcMessage>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
    private int _disposed;

    internal SharedServerLease(SharedServer server) => _server = server;

    /// <summary>None: the session with the server is the gateway's, not this client's.</summary>
    public string? SessionId => null;

    public ChannelReader<JsonRpcMessage> MessageReader => _messages.Reader;

    public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _server.SendAsync(this, message, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        End();
        await _server.ReleaseAsync(this).ConfigureAwait(false);
    }

    internal void Deliver(JsonRpcMessage message) => _messages.Writer.TryWrite(message);

    /// <summary>The server's process ended (or the session closed): the session's reader ends after what was delivered.</summary>
    internal void End() => _messages.Writer.TryComplete();
}
