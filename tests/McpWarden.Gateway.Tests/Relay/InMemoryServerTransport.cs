using System.Threading.Channels;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Tests.Relay;

/// <summary>
/// Isolation only: the server side of a session, played by the test. What the gateway sends upstream is
/// collected in <see cref="Sent"/>; what the test <see cref="DeliverAsync"/>s arrives as if from the server.
/// </summary>
internal sealed class InMemoryServerTransport : ITransport
{
    private readonly Channel<JsonRpcMessage> _fromServer = Channel.CreateUnbounded<JsonRpcMessage>();
    private readonly Channel<JsonRpcMessage> _toServer = Channel.CreateUnbounded<JsonRpcMessage>();

    public string? SessionId => null;

    public ChannelReader<JsonRpcMessage> MessageReader => _fromServer.Reader;

    /// <summary>Everything the gateway sent to the server, in order.</summary>
    public List<JsonRpcMessage> Sent { get; } = [];

    /// <summary>When set, every send fails with it, as one to an HTTP server that has gone away does.</summary>
    public Exception? SendFailure { get; set; }

    public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default)
    {
        if (SendFailure is { } failure)
        {
            return Task.FromException(failure);
        }

        lock (Sent)
        {
            Sent.Add(message);
        }

        return _toServer.Writer.WriteAsync(message, cancellationToken).AsTask();
    }

    /// <summary>The next message the gateway sends to the server.</summary>
    public async Task<JsonRpcMessage> NextSentAsync(CancellationToken cancellationToken) =>
        await _toServer.Reader.ReadAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);

    public ValueTask DeliverAsync(JsonRpcMessage message) => _fromServer.Writer.WriteAsync(message);

    /// <summary>The server goes away.</summary>
    public void Close() => _fromServer.Writer.TryComplete();

    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }
}
