using System.Text.Json.Nodes;
using System.Threading.Channels;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Fronts;

/// <summary>
/// One stream of messages to the client: the stream of a POSTed request (ending with its answer), the
/// session's GET stream, or the output of <c>mcpwarden stdio</c>. The relay writes, the front reads.
/// <para>
/// Writing never waits for the client. A client that reads slowly must not hold up the relay: the relay
/// would stop reading its server, whose messages would then pile up unread in the server's connection,
/// without limit. So what a client that falls behind cannot take is shed instead: once
/// <see cref="Capacity"/> messages wait unread, further notifications and server requests are dropped
/// (the caller answers a dropped request with an error, so the server never waits for it), and the next
/// message the stream carries is preceded by a notice of how many were dropped. Answers to the client's
/// own requests are never dropped; there is one per request, so they are bounded by what the client asked,
/// and a front whose client may ask without limit (stdio) waits for room before taking the next request
/// (<see cref="WaitForRoomAsync"/>).
/// </para>
/// </summary>
public sealed class ClientFeed
{
    /// <summary>How many messages may wait unread before notifications and server requests are dropped.</summary>
    public const int Capacity = 256;

    // Not single-reader: only the general unbounded channel can count what waits unread.
    private readonly Channel<JsonRpcMessage> _messages;

    private long _dropped;
    private volatile bool _closed;

    /// <summary>Completed (and replaced) each time the front takes a message, so waiters look again.</summary>
    private TaskCompletionSource _taken = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="writerRunsReader">
    /// The front's reader goes on in the writer's thread, until it next waits, instead of being handed to the
    /// thread pool: one wake-up less for every message. Only for a front whose writes to the client never block a
    /// thread (an HTTP response, which buffers and makes its flush wait instead): the relay must never be held by
    /// a client that does not read. Not for stdio, whose writes to a pipe block when the client stops reading.
    /// </param>
    public ClientFeed(bool writerRunsReader = false) =>
        _messages = Channel.CreateUnbounded<JsonRpcMessage>(new UnboundedChannelOptions { AllowSynchronousContinuations = writerRunsReader });

    /// <summary>What to write to the client, in order; it completes when the stream has said everything.</summary>
    public ChannelReader<JsonRpcMessage> Messages => _messages.Reader;

    /// <summary>True once the client went away or the stream ended; nothing more is written to it.</summary>
    public bool IsClosed => _messages.Reader.Completion.IsCompleted || _closed;

    /// <summary>Notifications and requests dropped since the last notice (or ever, when no notice followed yet).</summary>
    public long DroppedSinceNotice => Interlocked.Read(ref _dropped);

    /// <summary>The client side is gone (the client disconnected); what was meant for it is dropped from now on.</summary>
    public void Abandon()
    {
        _closed = true;
        _messages.Writer.TryComplete();
        while (_messages.Reader.TryRead(out _))
        {
        }

        Taken();
    }

    /// <summary>The front wrote one message to the client: whoever waits for room looks again.</summary>
    public void Taken() => Interlocked.Exchange(ref _taken, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Returns once fewer than <see cref="Capacity"/> messages wait unread, or the stream has ended.</summary>
    public async Task WaitForRoomAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            // The signal is taken before the count is read, so a message taken in between still wakes this wait.
            var taken = Volatile.Read(ref _taken).Task;
            if (IsClosed || _messages.Reader.Count < Capacity)
            {
                return;
            }

            await taken.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Queues one message, never waiting: an answer always; a notification or request only while fewer than
    /// <see cref="Capacity"/> messages wait unread.
    /// </summary>
    public FeedWrite Write(JsonRpcMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_closed)
        {
            return FeedWrite.Closed;
        }

        var isAnswer = message is JsonRpcResponse or JsonRpcError;
        if (!isAnswer && _messages.Reader.Count >= Capacity)
        {
            Interlocked.Increment(ref _dropped);
            return FeedWrite.Dropped;
        }

        if (Interlocked.Exchange(ref _dropped, 0) is var dropped and > 0)
        {
            // The client learns what it missed before what comes next, so the gap in its stream is explained.
            _messages.Writer.TryWrite(DroppedNotice(dropped));
        }

        return _messages.Writer.TryWrite(message) ? FeedWrite.Queued : FeedWrite.Closed;
    }

    /// <summary>Nothing more will be written: the reader ends after what is queued.</summary>
    public void Complete() => _messages.Writer.TryComplete();

    /// <summary>What the server hears for a request of its that the client was too far behind to be asked: at once, so it does not wait.</summary>
    public static JsonRpcError DroppedRequestAnswer(JsonRpcRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new JsonRpcError
        {
            Id = request.Id,
            Error = new JsonRpcErrorDetail { Code = (int)McpErrorCode.InternalError, Message = "the client is not reading its stream fast enough; the gateway dropped this request" },
        };
    }

    /// <summary>The method of a dropped message, for the log.</summary>
    public static string MethodOf(JsonRpcMessage message) => (message as JsonRpcRequest)?.Method ?? (message as JsonRpcNotification)?.Method ?? "message";

    private static JsonRpcNotification DroppedNotice(long dropped) => new()
    {
        // A log message, which every revision the gateway serves has (only the unserved 2026-07-28 drops it).
        Method = "notifications/message",
        Params = new JsonObject
        {
            ["level"] = "warning",
            ["logger"] = "mcpwarden",
            ["data"] = $"the gateway dropped {dropped} notification{(dropped == 1 ? "" : "s")} or request{(dropped == 1 ? "" : "s")} of the server's meant for this stream: "
                + $"the client was not reading it fast enough ({Capacity} messages were waiting unread)",
        },
    };
}

/// <summary>What became of a message written to a <see cref="ClientFeed"/>.</summary>
public enum FeedWrite
{
    /// <summary>It will be sent.</summary>
    Queued,

    /// <summary>The client was too far behind; it was dropped, and the client will be told.</summary>
    Dropped,

    /// <summary>The stream has ended; it may be sent elsewhere.</summary>
    Closed,
}
