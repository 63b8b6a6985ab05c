using System.Collections.Concurrent;
using McpWarden.Gateway.Relay;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Fronts.Http;

/// <summary>
/// One client's MCP session over Streamable HTTP. The relay behind it answers through one callback; this
/// class decides which HTTP stream each message travels on: an answer on the stream of the POST that
/// asked for it, progress on the stream of the request it reports on, anything else on the stream of the
/// one request in flight when there is exactly one, else on the GET stream. A request of the server's that
/// no stream can carry is answered with an error at once, so the server never waits for it.
/// </summary>
public sealed class HttpSession : IAsyncDisposable
{
    private readonly ConcurrentDictionary<RequestId, ClientFeed> _requests = SessionMaps.Create<RequestId, ClientFeed>();
    private readonly ConcurrentDictionary<string, RequestId> _progressTokens = SessionMaps.Create<string, RequestId>(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();
    private readonly Lock _standaloneGate = new();
    private ClientFeed? _standalone;
    private IRelaySession? _relay;
    private IReadOnlyCollection<string>? _servers;
    private long _lastActive;
    private int _disposed;

    internal HttpSession(string id, string label, string grant, string target, TimeProvider time, ILogger logger)
    {
        Id = id;
        Label = label;
        Grant = grant;
        Target = target;
        _time = time;
        _logger = logger;
        _lastActive = time.GetTimestamp();
    }

    /// <summary>The <c>Mcp-Session-Id</c>: random, and only ever shown to the client that made the session.</summary>
    public string Id { get; }

    /// <summary>A name for the session in logs, counters and the audit that is not its id, so the id is never written down.</summary>
    public string Label { get; }

    /// <summary>The grant that made the session; only that grant may use it.</summary>
    public string Grant { get; }

    /// <summary>What the session fronts: a server's name, or the aggregate endpoint.</summary>
    public string Target { get; }

    /// <summary>
    /// The configured servers the session reaches: its target, or for the aggregate endpoint the servers it was
    /// opened with. A reload that removes one of them, or reaches it differently, closes the session.
    /// </summary>
    public IReadOnlyCollection<string> Servers
    {
        get => Volatile.Read(ref _servers) ?? [Target];
        set => Volatile.Write(ref _servers, value);
    }

    /// <summary>True once the session was closed (by the client, by expiry, by a reload or at shutdown).</summary>
    public bool IsClosed => Volatile.Read(ref _disposed) != 0;

    /// <summary>The messages the relay sends the client come here; to be passed to the relay when it is opened.</summary>
    public Func<JsonRpcMessage, Task> ToClient => ToClientAsync;

    /// <summary>Starts relaying through the session opened for this one.</summary>
    public void Attach(IRelaySession relay)
    {
        ArgumentNullException.ThrowIfNull(relay);
        Volatile.Write(ref _relay, relay);
        if (IsClosed)
        {
            // Closed while the relay was being opened (a reload removed its server, say): the relay goes too.
            _ = relay.DisposeAsync().AsTask();
            return;
        }

        relay.Start();
    }

    /// <summary>
    /// Hands a request to the relay and returns the stream its answer (and what relates to it) will travel
    /// on; null when a request with the same id is still in flight.
    /// </summary>
    public async Task<ClientFeed?> RequestAsync(JsonRpcRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Touch();
        var stream = new ClientFeed(writerRunsReader: true);
        if (!_requests.TryAdd(request.Id, stream))
        {
            return null;
        }

        if (IsClosed)
        {
            // The session closed while this request arrived: it ends at once with an error rather than hanging.
            _requests.TryRemove(request.Id, out _);
            stream.Write(SessionClosedError(request.Id));
            stream.Complete();
            return stream;
        }

        if (ProgressToken(request) is { } token)
        {
            _progressTokens[token] = request.Id;
        }

        try
        {
            await Relay.FromClientAsync(request).ConfigureAwait(false);
        }
        catch
        {
            // Nothing will ever answer it: its id must not stay in flight and refuse every later request that reuses it.
            _requests.TryRemove(request.Id, out _);
            ForgetProgressOf(request.Id);
            stream.Complete();
            throw;
        }

        return stream;
    }

    /// <summary>Hands a notification or an answer to one of the server's requests to the relay.</summary>
    public async Task DeliverAsync(JsonRpcMessage message)
    {
        Touch();
        if (message is JsonRpcNotification { Method: NotificationMethods.CancelledNotification } cancelled
            && RelayMessages.ReadRequestId(cancelled.Params) is { } id
            && _requests.TryRemove(id, out var feed))
        {
            // A cancelled request is never answered: its stream ends now, and its id is free again.
            ForgetProgressOf(id);
            feed.Complete();
        }

        await Relay.FromClientAsync(message).ConfigureAwait(false);
    }

    /// <summary>Opens the GET stream; null when one is already open (a session has at most one).</summary>
    public ClientFeed? OpenStandaloneStream()
    {
        Touch();
        lock (_standaloneGate)
        {
            if (_standalone is { IsClosed: false })
            {
                return null;
            }

            _standalone = new ClientFeed(writerRunsReader: true);
            if (IsClosed)
            {
                _standalone.Complete();
            }

            return _standalone;
        }
    }

    /// <summary>True when nothing is in flight, no GET stream is open, and the client has been silent since <paramref name="since"/>.</summary>
    internal bool IsIdleSince(long since) =>
        _requests.IsEmpty && _standalone is not { IsClosed: false } && Volatile.Read(ref _lastActive) < since;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _closing.CancelAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _relay) is { } relay)
        {
            await relay.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var (id, stream) in _requests)
        {
            // A request the relay could not answer on its way out still gets an answer.
            stream.Write(SessionClosedError(id));
            stream.Complete();
        }

        ClientFeed? standalone;
        lock (_standaloneGate)
        {
            standalone = _standalone;
        }

        // Outside the lock: the GET stream's writer may go on in this thread when its feed completes.
        standalone?.Complete();
        _closing.Dispose();
    }

    private IRelaySession Relay => _relay ?? throw new InvalidOperationException("the session has no relay yet");

    private void Touch() => Volatile.Write(ref _lastActive, _time.GetTimestamp());

    private async Task ToClientAsync(JsonRpcMessage message)
    {
        if (message is JsonRpcMessageWithId answer and (JsonRpcResponse or JsonRpcError))
        {
            await AnswerAsync(answer).ConfigureAwait(false);
            return;
        }

        if (message is JsonRpcNotification { Method: NotificationMethods.ProgressNotification } progress
            && (progress.Params as System.Text.Json.Nodes.JsonObject)?["progressToken"]?.ToJsonString() is { } token
            && _progressTokens.TryGetValue(token, out var requestId))
        {
            // Progress belongs to its request's stream; progress that outlived its request is dropped.
            if (_requests.TryGetValue(requestId, out var own) && own.Write(message) == FeedWrite.Dropped)
            {
                NoteDropped(own, message);
            }

            return;
        }

        var written = WriteToRelatedStream(message);
        if (written == FeedWrite.Dropped && message is JsonRpcRequest shed)
        {
            // The client is too far behind to be asked anything: the server hears so now rather than waiting.
            await Relay.FromClientAsync(ClientFeed.DroppedRequestAnswer(shed)).ConfigureAwait(false);
            return;
        }

        if (written != FeedWrite.Closed)
        {
            return;
        }

        if (message is JsonRpcRequest request)
        {
            // The server asked the client something no stream can carry: it hears so now rather than waiting.
            HttpFrontLog.NoStreamForRequest(_logger, Label, new Untrusted(request.Method));
            await Relay.FromClientAsync(new JsonRpcError
            {
                Id = request.Id,
                Error = new JsonRpcErrorDetail { Code = (int)McpErrorCode.InternalError, Message = "the client has no open stream on which the gateway could send this request (open the GET stream)" },
            }).ConfigureAwait(false);
            return;
        }

        HttpFrontLog.NoStreamForNotification(_logger, Label, new Untrusted((message as JsonRpcNotification)?.Method ?? "message"));
    }

    /// <summary>Writes to the stream of the one request in flight, else to the GET stream; Closed when neither takes it.</summary>
    private FeedWrite WriteToRelatedStream(JsonRpcMessage message)
    {
        var inFlight = _requests.Values.Take(2).ToList();
        if (inFlight.Count == 1 && inFlight[0].Write(message) is var toRequest and not FeedWrite.Closed)
        {
            return NoteDropped(inFlight[0], message, toRequest);
        }

        ClientFeed? standalone;
        lock (_standaloneGate)
        {
            standalone = _standalone;
        }

        return standalone?.Write(message) is { } toStandalone ? NoteDropped(standalone, message, toStandalone) : FeedWrite.Closed;
    }

    /// <summary>Logs the first message a stream drops after its last notice (a flood is one line in the log, not thousands).</summary>
    private FeedWrite NoteDropped(ClientFeed feed, JsonRpcMessage message, FeedWrite written = FeedWrite.Dropped)
    {
        if (written == FeedWrite.Dropped && feed.DroppedSinceNotice == 1)
        {
            HttpFrontLog.SlowClientDropped(_logger, Label, new Untrusted(ClientFeed.MethodOf(message)), ClientFeed.Capacity);
        }

        return written;
    }

    private async Task AnswerAsync(JsonRpcMessageWithId answer)
    {
        if (!_requests.TryRemove(answer.Id, out var stream))
        {
            HttpFrontLog.AnswerWithoutRequest(_logger, Label, answer.Id);
            return;
        }

        ForgetProgressOf(answer.Id);

        if (stream.Write(answer) == FeedWrite.Closed)
        {
            // The client hung up before its answer came; disconnecting is not cancelling, so the work was done.
            HttpFrontLog.AnswerToGoneClient(_logger, Label, answer.Id);
        }

        stream.Complete();
    }

    private void ForgetProgressOf(RequestId id)
    {
        foreach (var pair in _progressTokens)
        {
            if (pair.Value == id)
            {
                _progressTokens.TryRemove(pair);
            }
        }
    }

    private static JsonRpcError SessionClosedError(RequestId id) => new()
    {
        Id = id,
        Error = new JsonRpcErrorDetail { Code = (int)McpErrorCode.InternalError, Message = "the session closed before this request was answered" },
    };

    private static string? ProgressToken(JsonRpcRequest request) =>
        RelayMessages.ProgressTokenOf(request.Params);
}
