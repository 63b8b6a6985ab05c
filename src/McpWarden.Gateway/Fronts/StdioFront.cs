using System.Text.Json;
using System.Text.Json.Nodes;
using McpWarden.Gateway.Relay;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Fronts;

/// <summary>
/// The gateway as a stdio MCP server: messages in on one stream, out on another,
/// one per line. Nothing but protocol is written to the output; everything else goes to the log.
/// </summary>
public sealed class StdioFront : IDisposable
{
    private readonly Func<string, Func<JsonRpcMessage, Task>, CancellationToken, Task<IRelaySession>> _openSession;
    private readonly ILogger _logger;
    private readonly int _maxMessageBytes;
    /// <summary>How long the last answers may take to reach a client at the end before they are given up.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _writeGate = new(1, 1);

    /// <summary>The largest message a client may send, unless configured otherwise: 4 MiB.</summary>
    public const int DefaultMaxMessageBytes = MessageScreening.DefaultMaxMessageBytes;

    /// <param name="openSession">Opens the session for this conversation, given its id and where to send the client's messages.</param>
    public StdioFront(Func<string, Func<JsonRpcMessage, Task>, CancellationToken, Task<IRelaySession>> openSession, ILoggerFactory loggers, int maxMessageBytes = DefaultMaxMessageBytes)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        _openSession = openSession;
        _logger = loggers.CreateLogger<StdioFront>();
        _maxMessageBytes = maxMessageBytes;
    }

    /// <summary>Serves until the client closes its input; then closes the server's side too.</summary>
    public async Task RunAsync(Stream input, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);

        // What goes to the client waits in a feed that sheds notifications when the client stops reading, so a
        // client that does not read its output cannot make the gateway hold the server's messages without limit.
        var feed = new ClientFeed();
        var handshake = new StdioHandshake();
        IRelaySession? opened = null;
        var session = await _openSession(
            "stdio-" + Guid.NewGuid().ToString("N"),
            message =>
            {
                handshake.Observe(message);
                return ToClientAsync(feed, message, opened);
            },
            cancellationToken).ConfigureAwait(false);
        opened = session;
        var writing = WriteFeedAsync(feed, output);
        try
        {
            await using (session.ConfigureAwait(false))
            {
                session.Start();
                await ReadClientAsync(session, handshake, feed, input, output, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // The session's last answers are written before the gateway's side closes, unless the client has
            // stopped reading: then they are given up after a while rather than holding the gateway open.
            feed.Complete();
            try
            {
                await writing.WaitAsync(DrainTimeout, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                feed.Abandon();
            }
        }
    }

    private async Task ReadClientAsync(IRelaySession session, StdioHandshake handshake, ClientFeed feed, Stream input, Stream output, CancellationToken cancellationToken)
    {
        var reader = new BoundedLineReader(input, _maxMessageBytes);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) is ({ } line, var tooLong))
        {
            if (tooLong > 0)
            {
                if (!await TryWriteFrameAsync(feed, output, MessageScreening.ErrorFrame(McpErrorCode.InvalidRequest, $"the message is {tooLong} bytes; the limit is {_maxMessageBytes}")).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            if (line.Span.Trim(" \t"u8).IsEmpty)
            {
                continue;
            }

            var (message, error) = MessageScreening.Screen(line.Span, _maxMessageBytes);
            error ??= handshake.Refusal(message!);
            if (error is not null)
            {
                RelayLog.RefusedClientMessage(_logger, (string?)error["error"]!["message"] ?? "invalid message");
                if (!await TryWriteFrameAsync(feed, output, error).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            // A client that asks without reading would have its answers pile up: its next line waits for room.
            await feed.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
            await session.FromClientAsync(message!).ConfigureAwait(false);
        }
    }

    /// <summary>Queues one message for the client; a request of the server's that the client is too far behind to take is answered with an error at once.</summary>
    private async Task ToClientAsync(ClientFeed feed, JsonRpcMessage message, IRelaySession? session)
    {
        var written = feed.Write(message);
        if (written == FeedWrite.Dropped && feed.DroppedSinceNotice == 1)
        {
            RelayLog.SlowClientDropped(_logger, new Untrusted(ClientFeed.MethodOf(message)), ClientFeed.Capacity);
        }

        if (written == FeedWrite.Dropped && message is JsonRpcRequest request && session is not null)
        {
            await session.FromClientAsync(ClientFeed.DroppedRequestAnswer(request)).ConfigureAwait(false);
        }
    }

    /// <summary>Writes what the feed holds as the client takes it; a client that closed its side ends the writing, not the gateway.</summary>
    private async Task WriteFeedAsync(ClientFeed feed, Stream output)
    {
        try
        {
            await foreach (var message in feed.Messages.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                await WriteAsync(output, JsonSerializer.SerializeToUtf8Bytes(message, McpJson.Message)).ConfigureAwait(false);
                feed.Taken();
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            RelayLog.ClientOutputClosed(_logger, e.Message);
            feed.Abandon();
        }
    }

    public void Dispose() => _writeGate.Dispose();

    /// <summary>Writes an error frame; false when the client has closed its side, which ends the conversation.</summary>
    private async Task<bool> TryWriteFrameAsync(ClientFeed feed, Stream output, JsonNode frame)
    {
        try
        {
            await WriteAsync(output, JsonSerializer.SerializeToUtf8Bytes(frame, GatewayJsonContext.Default.JsonNode)).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            RelayLog.ClientOutputClosed(_logger, e.Message);
            feed.Abandon();
            return false;
        }
    }

    /// <summary>Writes one message and its newline as a single write, never cut in half by a cancellation.</summary>
    private async Task WriteAsync(Stream output, byte[] message)
    {
        var line = new byte[message.Length + 1];
        message.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        await _writeGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await output.WriteAsync(line, CancellationToken.None).ConfigureAwait(false);
            await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }
}
