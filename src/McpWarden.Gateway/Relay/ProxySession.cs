using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpWarden.Gateway.Approvals;
using McpWarden.Gateway.Audit;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Enforcement;
using McpWarden.Gateway.Telemetry;
using McpWarden.Policy.Evaluation;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Relay;

/// <summary>
/// One client's session with one server through the gateway. Every message passes through unchanged
/// (params and results stay raw JSON) except what the policy governs: <c>tools/list</c> answers are
/// filtered, and each <c>tools/call</c> is decided from its body before it may reach the server. Request
/// ids are remapped in both directions, so the gateway can make requests of its own (refreshing the tool
/// list) and no id of one side is ever mistaken for the other's. One bad message, from either side, is
/// answered or logged and never ends the session. When the server goes away, what was in flight is answered
/// with an error at once; a session given a way to reconnect then brings the server back with backoff, replays
/// the client's handshake and tells the client its lists may have changed, refusing requests meanwhile.
/// </summary>
internal sealed class ProxySession : IRelaySession
{
    /// <summary>However much progress a request reports, it may take at most this many timeouts in all.</summary>
    private const int MaxTimeoutsWithProgress = 10;

    /// <summary>How often a tool list is fetched again when the server changes it during the fetch.</summary>
    private const int MaxCatalogAttempts = 5;

    private readonly Func<ServerDefinition> _server;
    private readonly string _grant;
    private readonly string _sessionId;
    private readonly Func<CancellationToken, Task<ITransport>>? _reconnect;
    private readonly RestartBackoff _backoff;
    private readonly Func<JsonRpcMessage, Task> _sendToClient;
    private readonly ToolCallGate _gate;
    private readonly ToolVetting? _vetting;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SessionWork _work;

    private readonly ConcurrentDictionary<RequestId, ClientRequest> _byClientId = SessionMaps.Create<RequestId, ClientRequest>();
    private readonly ConcurrentDictionary<RequestId, ClientRequest> _byUpstreamId = SessionMaps.Create<RequestId, ClientRequest>();
    private readonly ConcurrentDictionary<RequestId, RequestId> _serverRequests = SessionMaps.Create<RequestId, RequestId>();
    private readonly ConcurrentDictionary<RequestId, (ITransport Through, TaskCompletionSource<JsonRpcMessage> Answer)> _ownRequests = SessionMaps.Create<RequestId, (ITransport Through, TaskCompletionSource<JsonRpcMessage> Answer)>();
    private readonly ConcurrentDictionary<RequestId, TaskCompletionSource<JsonRpcMessage>> _ownClientRequests = SessionMaps.Create<RequestId, TaskCompletionSource<JsonRpcMessage>>();
    private readonly SemaphoreSlim _catalogGate = new(1, 1);
    private readonly Lock _catalogInstall = new();
    private readonly CancellationTokenSource _closing = new();

    private Task _relay = Task.CompletedTask;
    private long _nextUpstreamId;
    private long _nextClientId;
    private int _catalogGeneration;
    private volatile ToolCatalog? _catalog;
    private volatile UpstreamState _upstream;
    private JsonRpcRequest? _initializeInFlight;
    private JsonRpcRequest? _initialize;
    private bool _clientInitialized;
    private int _restartAttempts;
    private long? _restartedAt;
    private int _disposed;

    public ProxySession(
        ServerDefinition server,
        string grant,
        string sessionId,
        ITransport upstream,
        Func<JsonRpcMessage, Task> sendToClient,
        ToolCallGate gate,
        TimeProvider time,
        ILogger logger,
        Func<CancellationToken, Task<ITransport>>? reconnect = null,
        RestartBackoff? backoff = null,
        Func<ServerDefinition>? current = null,
        ToolVetting? vetting = null)
    {
        // Policy, mode and timeout are read per use, so a reloaded configuration applies from its swap on.
        _server = current ?? (() => server);
        _grant = grant;
        _sessionId = sessionId;
        _upstream = new UpstreamState(upstream, UpstreamPhase.Running);
        _reconnect = reconnect;
        _backoff = backoff ?? RestartBackoff.Default;
        _sendToClient = sendToClient;
        _gate = gate;
        _vetting = vetting;
        _time = time;
        _logger = logger;
        _work = new SessionWork(e => RelayLog.WorkFailed(_logger, Server.Name, e.Message));
    }

    /// <summary>The server's definition now: the one it was opened with, or what a reload made of it since.</summary>
    private ServerDefinition Server => _server();

    /// <summary>Starts relaying the server's messages to the client; the session owns that work until disposed.</summary>
    public void Start()
    {
        if (_vetting is not null)
        {
            _vetting.Accepted += OnAccepted;
            _vetting.Drifted += OnDrifted;
        }

        _relay = RelayUpstreamAsync(_upstream.Transport, _closing.Token);
    }

    /// <summary>Handles one message from the client. Requests run on their own, so none holds up the next message.</summary>
    public async Task FromClientAsync(JsonRpcMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            switch (message)
            {
                case JsonRpcRequest request:
                    Track(HandleRequestAsync(request));
                    break;

                case JsonRpcNotification { Method: NotificationMethods.CancelledNotification } cancelled:
                    await CancelFromClientAsync(cancelled).ConfigureAwait(false);
                    break;

                case JsonRpcNotification notification when notification.Method.StartsWith("notifications/", StringComparison.Ordinal):
                    if (notification.Method == NotificationMethods.InitializedNotification)
                    {
                        // A restarted server is told the same, once it has answered the replayed initialize.
                        Volatile.Write(ref _clientInitialized, true);
                    }

                    await SendUpstreamAsync(notification, CancellationToken.None).ConfigureAwait(false);
                    break;

                case JsonRpcNotification notification:
                    // A request sent without an id (tools/call, say) must not reach a server that might run it undecided.
                    RelayLog.DroppedIdlessRequest(_logger, Server.Name, new Untrusted(notification.Method));
                    break;

                case JsonRpcMessageWithId answer and (JsonRpcResponse or JsonRpcError) when _ownClientRequests.TryRemove(answer.Id, out var own):
                    own.TrySetResult(answer);
                    break;

                case JsonRpcMessageWithId answer when _serverRequests.TryRemove(answer.Id, out var upstreamId):
                    await SendUpstreamAsync(RelayMessages.WithId(answer, upstreamId), CancellationToken.None).ConfigureAwait(false);
                    break;

                case JsonRpcMessageWithId stray:
                    RelayLog.DroppedStrayAnswer(_logger, Server.Name, stray.Id, "client");
                    break;
            }
        }
#pragma warning disable CA1031 // One message that cannot be relayed (the server is gone, say) is logged; the session goes on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            RelayLog.RelayFailed(_logger, Server.Name, "client", e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_vetting is not null)
        {
            _vetting.Accepted -= OnAccepted;
            _vetting.Drifted -= OnDrifted;
        }

        await _closing.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_work.Running.Append(_relay)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var request in _byClientId.Values)
        {
            // A call still with the server when its session closes ends unanswered; its audit record says so.
            Finish(request, AuditOutcomes.Cancelled);
            request.Dispose();
        }

        await Task.WhenAll(_work.Running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        try
        {
            // After a crash this is the dead connection, already closed once: closing it again is harmless.
            await _upstream.Transport.DisposeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Closing a server that already died must not hide the session's own shutdown.
        catch (Exception e)
#pragma warning restore CA1031
        {
            RelayLog.CloseFailed(_logger, Server.Name, e.Message);
        }

        _closing.Dispose();
        _catalogGate.Dispose();
    }

    private async Task HandleRequestAsync(JsonRpcRequest request)
    {
        var tracked = new ClientRequest(request.Id, request.Method, _closing.Token);
        if (!_byClientId.TryAdd(request.Id, tracked))
        {
            // An answer under that id would look, to the client, like the answer to the request already in flight.
            tracked.Dispose();
            RelayLog.DroppedDuplicateId(_logger, Server.Name, request.Id);
            return;
        }

        if (request.Method == RequestMethods.ToolsCall)
        {
            // From its arrival: a call refused because the server is restarting is a call too.
            tracked.Span = GatewayTracing.StartToolCall(Server.Name, _sessionId, _grant, request.Id.Id, request.Params);
        }

        try
        {
            if (request.Method == RequestMethods.ServerDiscover)
            {
                Finish(tracked);
                await AnswerAsync(RelayMessages.StatelessRevisionRefused(request.Id)).ConfigureAwait(false);
                return;
            }

            if (Unavailable(_upstream) is { } unavailable)
            {
                // Restarting or given up: the client hears so now rather than waiting on a server that is not there.
                Finish(tracked, AuditOutcomes.Unavailable);
                await AnswerAsync(RelayMessages.Error(request.Id, McpErrorCode.InternalError, unavailable)).ConfigureAwait(false);
                return;
            }

            if (request.Method == RequestMethods.ToolsCall && !await DecideAsync(request, tracked).ConfigureAwait(false))
            {
                Finish(tracked);
                return;
            }

            await ForwardAsync(request.Method == RequestMethods.Initialize ? WithServedVersion(request) : request, tracked).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (tracked.Cancellation.IsCancellationRequested || _closing.IsCancellationRequested)
        {
            // Cancelled by the client while being decided, or the session is closing: nothing was forwarded, and no answer is due.
            Finish(tracked);
        }
        catch (InvalidParamsException e)
        {
            if (Finish(tracked, AuditOutcomes.Error))
            {
                await AnswerAsync(RelayMessages.Error(request.Id, McpErrorCode.InvalidParams, e.Message)).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // Fail closed: whatever went wrong, the client gets an error and nothing more reaches the server.
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (Finish(tracked, AuditOutcomes.Error))
            {
                await AnswerAsync(RelayMessages.Error(request.Id, McpErrorCode.InternalError, $"the gateway could not handle {request.Method}: {e.Message}")).ConfigureAwait(false);
            }
        }
        finally
        {
            // This task is the last to observe the request's token; its deadline lives on until the request finishes.
            tracked.Cancellation.Dispose();
        }
    }

    /// <summary>Decides a <c>tools/call</c>; true when it may go on to the server, false when the client has been answered.</summary>
    private async Task<bool> DecideAsync(JsonRpcRequest call, ClientRequest tracked)
    {
        var (tool, arguments) = ReadCall(call.Params);

        // Fetching the tool list gets the server's timeout, whatever the server does; a wait for a person has its own.
        ToolCatalog catalog;
        var upstream = _upstream;
        using (var deadline = new CancellationTokenSource(Server.RequestTimeout, _time))
        using (var fetching = CancellationTokenSource.CreateLinkedTokenSource(tracked.Cancellation.Token, deadline.Token))
        {
            try
            {
                catalog = await CatalogAsync(fetching.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !tracked.Cancellation.IsCancellationRequested)
            {
                if (Finish(tracked, AuditOutcomes.Timeout))
                {
                    await AnswerAsync(RelayMessages.Error(call.Id, RelayMessages.RequestTimedOut, $"the gateway could not decide this call within {Seconds(Server.RequestTimeout)}, so it was not forwarded")).ConfigureAwait(false);
                }

                return false;
            }
#pragma warning disable CA1031 // Whatever kept the list from the gateway, the call cannot be decided without it: it is refused.
            catch (Exception e) when (!tracked.Cancellation.IsCancellationRequested && !_closing.IsCancellationRequested)
#pragma warning restore CA1031
            {
                // The server went away, forgot the session or answered nonsense while the gateway asked for its tools.
                // The client hears which server failed, not a gateway fault; and a lost connection is brought back
                // here as a failed forward brings it back, or a session that only calls tools would ask the dead
                // connection for its list forever (an HTTP server's going shows only as a failed send).
                if (Finish(tracked, AuditOutcomes.Unavailable))
                {
                    await AnswerAsync(RelayMessages.Error(call.Id, McpErrorCode.InternalError, $"the server {Server.Name} could not be asked for its tools, so the call was not forwarded: {e.Message}")).ConfigureAwait(false);
                }

                if (ConnectionLost(e))
                {
                    Track(UpstreamGoneAsync(upstream.Transport));
                }

                return false;
            }
        }

        if (catalog.Vetted.ChangedSincePinned(tool) && _vetting is not null
            && await _vetting.AcceptedSinceAsync(Server.Name, catalog.Vetted.ByName[tool].Definition, tracked.Cancellation.Token).ConfigureAwait(false))
        {
            // A person accepted the change since the list was read (through the CLI, say): read it again before deciding.
            ForgetCatalog();
            using var deadline = new CancellationTokenSource(Server.RequestTimeout, _time);
            using var fetching = CancellationTokenSource.CreateLinkedTokenSource(tracked.Cancellation.Token, deadline.Token);
            catalog = await CatalogAsync(fetching.Token).ConfigureAwait(false);
        }

        var server = Server;
        var gateCall = new GateCall(server, new ToolCall(server.Name, tool, arguments, _grant, _sessionId), catalog.Snapshot, _sessionId, () => Server.Policy, ClientCanBeAsked() ? AskClientAsync : null, tracked.Span);
        var result = await _gate.AdmitAsync(gateCall, tracked.Cancellation.Token).ConfigureAwait(false);
        RelayLog.Decided(_logger, server.Name, new Untrusted(tool), new LoggedDecision(result.Decision));
        if (result.Forward)
        {
            tracked.AuditId = result.AuditId;
            return true;
        }

        var decision = result.Decision;
        tracked.RefusedWith = decision.Code;
        await AnswerAsync(DenialResponses.IsProtocolError(decision)
            ? new JsonRpcError { Id = call.Id, Error = DenialResponses.UnknownToolError(decision) }
            : new JsonRpcResponse { Id = call.Id, Result = DenialResponses.ToolResult(decision) }).ConfigureAwait(false);
        return false;
    }

    /// <summary>Whether the client declared, in its handshake, that its user can be asked questions (MCP elicitation).</summary>
    private bool ClientCanBeAsked() =>
        Volatile.Read(ref _initialize) is { Params: JsonObject parameters } && parameters["capabilities"]?["elicitation"] is JsonObject;

    /// <summary>
    /// Asks the client's user to approve a held call, through elicitation: accepted with <c>approve: true</c>
    /// approves, accepted otherwise or declined refuses, dismissed leaves it to the queue.
    /// </summary>
    private async Task<bool?> AskClientAsync(Approval approval, CancellationToken cancellationToken)
    {
        var id = new RequestId(Interlocked.Increment(ref _nextClientId));
        var answer = new TaskCompletionSource<JsonRpcMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ownClientRequests[id] = answer;
        try
        {
            await _sendToClient(new JsonRpcRequest { Id = id, Method = RequestMethods.ElicitationCreate, Params = ApprovalQuestion.For(approval) }).ConfigureAwait(false);
            JsonRpcMessage reply;
            try
            {
                reply = await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Decided elsewhere or withdrawn: the client stops asking its user.
                await _sendToClient(RelayMessages.CancellationOf(id, new JsonObject { ["reason"] = "the approval was decided elsewhere or the call withdrawn" })).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                throw;
            }

            return ApprovalQuestion.Read(reply);
        }
        finally
        {
            _ownClientRequests.TryRemove(id, out _);
        }
    }

    private static (string Tool, JsonElement Arguments) ReadCall(JsonNode? parameters)
    {
        if (parameters is not JsonObject body || body["name"] is not JsonValue name || !name.TryGetValue<string>(out var tool))
        {
            throw new InvalidParamsException("tools/call needs params with a string \"name\"");
        }

        // Missing arguments are read as {}; anything else, an array say, is judged by the evaluator.
        var arguments = body["arguments"] is { } node
            ? JsonSerializer.SerializeToElement(node, GatewayJsonContext.Default.JsonNode)
            : default;
        return (tool, arguments);
    }

    private async Task ForwardAsync(JsonRpcRequest request, ClientRequest tracked)
    {
        var upstreamId = new RequestId(Interlocked.Increment(ref _nextUpstreamId));
        lock (tracked.Gate)
        {
            // INVARIANT: under the gate, either the client's cancellation came first (nothing is forwarded) or
            // forwarding began first (the cancellation travels upstream as notifications/cancelled).
            if (tracked.Finished || tracked.CancelRequested)
            {
                tracked.Written.TrySetResult();
            }
            else
            {
                tracked.UpstreamId = upstreamId;
                tracked.ProgressToken = RelayMessages.ProgressTokenOf(request.Params);
                tracked.ForwardedAt = _time.GetTimestamp();
                tracked.Deadline = _time.CreateTimer(_ => Track(TimeOutAsync(upstreamId)), null, Server.RequestTimeout, Timeout.InfiniteTimeSpan);
                _byUpstreamId[upstreamId] = tracked;
            }
        }

        if (tracked.UpstreamId is null)
        {
            if (!Finish(tracked) && tracked.TakeAuditId() is { } auditId)
            {
                // Cancelled while being decided, and admitted before the decision noticed: its record says it never ran.
                Track(_gate.CompleteAsync(auditId, AuditOutcomes.Cancelled, TimeSpan.Zero));
            }

            return;
        }

        // Read after registering: a server that died meanwhile has answered what was registered before it.
        var upstream = _upstream;
        try
        {
            if (Unavailable(upstream) is { } unavailable)
            {
                if (Finish(tracked, AuditOutcomes.Unavailable))
                {
                    await AnswerAsync(RelayMessages.Error(request.Id, McpErrorCode.InternalError, unavailable)).ConfigureAwait(false);
                }

                return;
            }

            if (request.Method == RequestMethods.Initialize)
            {
                Volatile.Write(ref _initializeInFlight, request);
            }

            // From here a client's cancellation travels as notifications/cancelled; it does not abort this write.
            await upstream.Transport.SendMessageAsync(new JsonRpcRequest { Id = upstreamId, Method = request.Method, Params = request.Params }, _closing.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (Finish(tracked, AuditOutcomes.Unavailable))
            {
                await AnswerAsync(RelayMessages.Error(request.Id, McpErrorCode.InternalError, $"the request could not be sent to {Server.Name}: {e.Message}")).ConfigureAwait(false);
            }

            if (ConnectionLost(e))
            {
                // An HTTP server that went away (or forgot the session) does not end the SDK's reader: a failed send is how it shows.
                Track(UpstreamGoneAsync(upstream.Transport));
            }
        }
        finally
        {
            tracked.Written.TrySetResult();
        }
    }

    /// <summary>
    /// The client cancels one of its requests: while it is being decided, nothing is forwarded; once it is
    /// with the server, the server is told under the id it knows. Either way no answer is owed.
    /// </summary>
    private async Task CancelFromClientAsync(JsonRpcNotification cancelled)
    {
        if (RelayMessages.ReadRequestId(cancelled.Params) is not { } clientId || !_byClientId.TryGetValue(clientId, out var tracked))
        {
            return;
        }

        RequestId? upstreamId;
        lock (tracked.Gate)
        {
            if (tracked.Finished)
            {
                return;
            }

            upstreamId = tracked.UpstreamId;
            tracked.CancelRequested = upstreamId is null;
        }

        if (upstreamId is null)
        {
            // Still being decided: stop deciding; forwarding, should it get that far, sees the request cancelled.
            // The id is freed now, not when the decision winds down: the client may reuse it at once (over HTTP
            // its stream has already ended), and a reuse must not be dropped as a duplicate.
            Finish(tracked);
            try
            {
                await tracked.Cancellation.CancelAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // The decision has already ended (and refused or forwarded-then-finished the request).
            }

            return;
        }

        if (Finish(tracked))
        {
            // The cancellation must not reach the server before the request it cancels.
            await tracked.Written.Task.ConfigureAwait(false);
            await SendUpstreamAsync(RelayMessages.CancellationOf(upstreamId.Value, cancelled.Params), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task RelayUpstreamAsync(ITransport upstream, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in upstream.MessageReader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await FromUpstreamAsync(message).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // One malformed message from the server is logged; the session goes on.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    RelayLog.RelayFailed(_logger, Server.Name, "server", e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await UpstreamGoneAsync(upstream).ConfigureAwait(false);
        }
    }

    private async Task FromUpstreamAsync(JsonRpcMessage message)
    {
        switch (message)
        {
            case JsonRpcMessageWithId answer and (JsonRpcResponse or JsonRpcError) when _ownRequests.TryRemove(answer.Id, out var own):
                own.Answer.TrySetResult(answer);
                break;

            case JsonRpcMessageWithId answer and (JsonRpcResponse or JsonRpcError) when _byUpstreamId.TryGetValue(answer.Id, out var tracked):
                if (tracked.Method == RequestMethods.Initialize)
                {
                    // An HTTP upstream learns its session id only once sending initialize returns: the client may
                    // not hear the answer (and send what follows it) before then.
                    await tracked.Written.Task.ConfigureAwait(false);
                }

                if (Finish(tracked, OutcomeOf(answer)))
                {
                    if (tracked.Method == RequestMethods.ToolsList)
                    {
                        // Vetting reads the pin store and scans every definition: not in the loop reading the
                        // server's messages, or one large list would hold up every other answer of the session.
                        Track(AnswerToolListAsync(answer, tracked));
                        break;
                    }

                    var toClient = ToClientOrError(answer, tracked);
                    if (tracked.Method == RequestMethods.Initialize && toClient is JsonRpcResponse)
                    {
                        // Only a handshake the server accepted is worth replaying to a restarted server.
                        Volatile.Write(ref _initialize, Volatile.Read(ref _initializeInFlight));
                    }

                    await AnswerAsync(toClient).ConfigureAwait(false);
                }

                break;

            case JsonRpcRequest request:
                var clientId = new RequestId(Interlocked.Increment(ref _nextClientId));
                _serverRequests[clientId] = request.Id;
                await _sendToClient(new JsonRpcRequest { Id = clientId, Method = request.Method, Params = request.Params }).ConfigureAwait(false);
                break;

            case JsonRpcNotification { Method: NotificationMethods.CancelledNotification } cancelled:
                // The server cancels a request it made of the client: the client knows it by the gateway's id.
                var upstreamId = RelayMessages.ReadRequestId(cancelled.Params);
                var match = _serverRequests.FirstOrDefault(pair => upstreamId is { } id && pair.Value == id);
                if (upstreamId is not null && _serverRequests.TryRemove(match.Key, out _))
                {
                    await _sendToClient(RelayMessages.CancellationOf(match.Key, cancelled.Params)).ConfigureAwait(false);
                }

                break;

            case JsonRpcNotification { Method: NotificationMethods.ToolListChangedNotification } changed:
                ForgetCatalog();

                Track(RefreshThenRelayAsync(changed));
                break;

            case JsonRpcNotification { Method: NotificationMethods.ProgressNotification } progress:
                ExtendDeadline(progress);
                await _sendToClient(progress).ConfigureAwait(false);
                break;

            case JsonRpcNotification notification:
                await _sendToClient(notification).ConfigureAwait(false);
                break;

            case JsonRpcMessageWithId stray:
                RelayLog.DroppedStrayAnswer(_logger, Server.Name, stray.Id, "server");
                break;
        }
    }

    /// <summary>The answer for the client; an error when the server's answer cannot be read (the request is never left unanswered).</summary>
    private JsonRpcMessage ToClientOrError(JsonRpcMessageWithId answer, ClientRequest tracked)
    {
        try
        {
            return ToClient(answer, tracked);
        }
#pragma warning disable CA1031 // A malformed answer (duplicate keys, say) still gets the client an answer.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return RelayMessages.Error(tracked.ClientId, McpErrorCode.InternalError, $"the server {Server.Name} answered {tracked.Method} with something the gateway cannot read: {e.Message}");
        }
    }

    private async Task AnswerToolListAsync(JsonRpcMessageWithId answer, ClientRequest tracked) =>
        await AnswerAsync(await ToolListToClientAsync(answer, tracked).ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary>
    /// A <c>tools/list</c> answer for the client: vetted (pins, scan) like every list the gateway sees, then, in
    /// enforce mode, without what the policy or vetting hides. Observe mode hides nothing, as it refuses nothing.
    /// </summary>
    private async Task<JsonRpcMessage> ToolListToClientAsync(JsonRpcMessageWithId answer, ClientRequest tracked)
    {
        if (_vetting is null || answer is not JsonRpcResponse { Result: JsonObject result } || result["tools"] is not JsonArray)
        {
            return ToClientOrError(answer, tracked);
        }

        var server = Server;
        VettedTools vetted;
        try
        {
            vetted = await _vetting.VetPagesAsync(server, [result], new VettingWitness(_grant, _sessionId), _closing.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Fail closed: a list that could not be vetted is not shown.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return RelayMessages.Error(tracked.ClientId, McpErrorCode.InternalError, $"the gateway could not check the tools of {server.Name}, so it does not list them: {e.Message}");
        }

        if (_catalog is { } cached && !cached.Vetted.Agrees(vetted))
        {
            // The client's list shows the server's tools differ from those calls are decided against (a change the
            // server did not announce, or one another process's gateway recorded): calls must meet the change.
            ForgetCatalog();
        }

        if (server.Mode != EnforcementMode.Enforce)
        {
            return RelayMessages.WithId(answer, tracked.ClientId);
        }

        try
        {
            return ToolListFilter.Filter(result, server.Policy, vetted.Hides) is { } filtered
                ? new JsonRpcResponse { Id = tracked.ClientId, Result = filtered }
                : RelayMessages.Error(tracked.ClientId, McpErrorCode.InternalError, $"the server {server.Name} answered tools/list with something that is not a tool list");
        }
#pragma warning disable CA1031 // A malformed answer (duplicate keys, say) still gets the client an answer.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return RelayMessages.Error(tracked.ClientId, McpErrorCode.InternalError, $"the server {server.Name} answered tools/list with something the gateway cannot read: {e.Message}");
        }
    }

    /// <summary>Drops the tool list the gateway decides against: the next call or refresh reads (and vets) it again.</summary>
    private void ForgetCatalog()
    {
        lock (_catalogInstall)
        {
            _catalogGeneration++;
            _catalog = null;
        }
    }

    /// <summary>
    /// A person accepted a changed definition of this session's server: the gateway's view is read again and the
    /// client told its list changed, so the accepted tool reappears without a restart.
    /// </summary>
    private void OnAccepted(string server)
    {
        if (server != Server.Name || _closing.IsCancellationRequested)
        {
            return;
        }

        ForgetCatalog();
        if (Volatile.Read(ref _initialize) is not null)
        {
            Track(RefreshThenRelayAsync(new JsonRpcNotification { Method = NotificationMethods.ToolListChangedNotification }));
        }
    }

    /// <summary>Vetting saw a tool of this session's server change: the list calls are decided against is read again at the next call.</summary>
    private void OnDrifted(string server)
    {
        if (server == Server.Name)
        {
            ForgetCatalog();
        }
    }

    /// <summary>An initialize asking for a revision the gateway does not serve asks the server for the newest one it does.</summary>
    private static JsonRpcRequest WithServedVersion(JsonRpcRequest initialize)
    {
        if (initialize.Params is not JsonObject parameters
            || (parameters["protocolVersion"] is JsonValue asked && asked.TryGetValue<string>(out var version) && ProtocolVersions.Served.Contains(version)))
        {
            return initialize;
        }

        var rewritten = (JsonObject)parameters.DeepClone();
        rewritten["protocolVersion"] = ProtocolVersions.Newest;
        return new JsonRpcRequest { Id = initialize.Id, Method = initialize.Method, Params = rewritten };
    }

    /// <summary>What the client receives for a forwarded request: its own id, and for <c>tools/list</c> only what the policy shows.</summary>
    private JsonRpcMessage ToClient(JsonRpcMessageWithId answer, ClientRequest tracked)
    {
        if (answer is JsonRpcResponse { Result: JsonObject initialized } && tracked.Method == RequestMethods.Initialize
            && !(initialized["protocolVersion"] is JsonValue chosen && chosen.TryGetValue<string>(out var version) && ProtocolVersions.Relayed.Contains(version)))
        {
            // Fail closed: a revision the gateway cannot read is one whose calls it could not decide.
            return RelayMessages.Error(tracked.ClientId, McpErrorCode.InternalError, $"the server {Server.Name} chose protocol version {initialized["protocolVersion"]?.ToJsonString() ?? "(none)"}, which this gateway does not relay");
        }

        var server = Server;
        if (answer is JsonRpcResponse response && tracked.Method == RequestMethods.ToolsList && server.Mode == EnforcementMode.Enforce)
        {
            // Observe mode refuses nothing, so it hides nothing either.
            return ToolListFilter.Filter(response.Result, server.Policy) is { } filtered
                ? new JsonRpcResponse { Id = tracked.ClientId, Result = filtered }
                : RelayMessages.Error(tracked.ClientId, McpErrorCode.InternalError, $"the server {Server.Name} answered tools/list with something that is not a tool list");
        }

        return RelayMessages.WithId(answer, tracked.ClientId);
    }

    /// <summary>
    /// The client hears of a change only once the gateway's view has caught up, so no call can name a tool the
    /// gateway has not seen; if the refresh fails, the client still hears of it (calls then fail closed).
    /// </summary>
    private async Task RefreshThenRelayAsync(JsonRpcNotification changed)
    {
        try
        {
            await CatalogAsync(_closing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // A failed refresh leaves no view, so calls are refused until one succeeds.
        catch (Exception e)
#pragma warning restore CA1031
        {
            RelayLog.RefreshFailed(_logger, Server.Name, e.Message);
        }

        await _sendToClient(changed).ConfigureAwait(false);
    }

    /// <summary>
    /// The server's tools as last seen, fetched (every page) when there is no current view. A fetch during
    /// which the server announced a change is not trusted: it is made again.
    /// </summary>
    private async Task<ToolCatalog> CatalogAsync(CancellationToken cancellationToken)
    {
        if (_catalog is { } current)
        {
            return current;
        }

        await _catalogGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; attempt < MaxCatalogAttempts; attempt++)
            {
                if (_catalog is { } fetched)
                {
                    return fetched;
                }

                int generation;
                lock (_catalogInstall)
                {
                    generation = _catalogGeneration;
                }

                var pages = await FetchToolPagesAsync(cancellationToken).ConfigureAwait(false);
                var vetted = _vetting is null
                    ? VettedTools.None
                    : await _vetting.VetPagesAsync(Server, pages, new VettingWitness(_grant, _sessionId), cancellationToken).ConfigureAwait(false);
                var catalog = ToolCatalogReader.Read(pages, vetted.ChangedSincePinned, vetted.WithheldOf) with { Vetted = vetted };
                if (vetted.PinStoreFailed)
                {
                    // Every tool is withheld for a passing fault: this call is refused, the next one tries the store again.
                    return catalog;
                }

                lock (_catalogInstall)
                {
                    // INVARIANT: a list fetched across a change is never installed; invalidation and install share this lock.
                    if (generation != _catalogGeneration)
                    {
                        continue;
                    }

                    _catalog = catalog;
                }

                foreach (var finding in catalog.Findings)
                {
                    RelayLog.CatalogFinding(_logger, Server.Name, finding);
                }

                return catalog;
            }

            throw new InvalidOperationException($"{Server.Name} kept changing its tools while the gateway read them");
        }
        finally
        {
            _catalogGate.Release();
        }
    }

    private async Task<List<JsonNode?>> FetchToolPagesAsync(CancellationToken cancellationToken)
    {
        const int MaxPages = 1000;
        var pages = new List<JsonNode?>();
        string? cursor = null;
        do
        {
            var parameters = cursor is null ? null : new JsonObject { ["cursor"] = cursor };
            var answer = await RequestUpstreamAsync(RequestMethods.ToolsList, parameters, cancellationToken).ConfigureAwait(false);
            if (answer is not JsonRpcResponse { Result: JsonObject result })
            {
                throw new InvalidOperationException($"{Server.Name} answered tools/list with {(answer as JsonRpcError)?.Error.Message ?? "something that is not a result object"}");
            }

            pages.Add(result);
            cursor = result["nextCursor"] is JsonValue next && next.TryGetValue<string>(out var text) ? text : null;
        }
        while (cursor is not null && pages.Count < MaxPages);

        if (cursor is not null)
        {
            RelayLog.CatalogTruncated(_logger, Server.Name, MaxPages);
        }

        return pages;
    }

    private async Task<JsonRpcMessage> RequestUpstreamAsync(string method, JsonNode? parameters, CancellationToken cancellationToken)
    {
        var upstream = _upstream;
        if (Unavailable(upstream) is { } unavailable)
        {
            throw new InvalidOperationException(unavailable);
        }

        return await RequestThroughAsync(upstream.Transport, method, parameters, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A request of the gateway's own, through the given connection (a restarted one is asked before clients may use it).</summary>
    private async Task<JsonRpcMessage> RequestThroughAsync(ITransport upstream, string method, JsonNode? parameters, CancellationToken cancellationToken)
    {
        var id = new RequestId(Interlocked.Increment(ref _nextUpstreamId));
        var answer = new TaskCompletionSource<JsonRpcMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ownRequests[id] = (upstream, answer);
        using var deadline = new CancellationTokenSource(Server.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            await upstream.SendMessageAsync(new JsonRpcRequest { Id = id, Method = method, Params = parameters }, linked.Token).ConfigureAwait(false);
            return await answer.Task.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_closing.IsCancellationRequested)
        {
            // Abandoned (timed out, or nobody waits for it any more): the server is told to stop working on it.
            await upstream.SendMessageAsync(RelayMessages.CancellationOf(id, null), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{Server.Name} did not answer {method} within {Seconds(Server.RequestTimeout)}");
            }

            throw;
        }
        finally
        {
            _ownRequests.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// A server that reports progress on a request is still working on it: its deadline starts again, as MCP
    /// allows, but never past <see cref="MaxTimeoutsWithProgress"/> timeouts from when it was forwarded.
    /// </summary>
    private void ExtendDeadline(JsonRpcNotification progress)
    {
        var token = (progress.Params as JsonObject)?["progressToken"]?.ToJsonString();
        if (token is null)
        {
            return;
        }

        if (_byUpstreamId.Values.FirstOrDefault(r => r.ProgressToken == token) is not { } tracked)
        {
            return;
        }

        lock (tracked.Gate)
        {
            if (tracked.Finished || tracked.Deadline is not { } deadline)
            {
                return;
            }

            var timeout = Server.RequestTimeout;
            var remaining = (timeout * MaxTimeoutsWithProgress) - _time.GetElapsedTime(tracked.ForwardedAt);
            var next = remaining <= TimeSpan.Zero ? TimeSpan.Zero : remaining < timeout ? remaining : timeout;
            deadline.Change(next, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// A request the server has not answered in time: the client gets an error now, and the server is told
    /// to stop, so neither side waits for the other forever.
    /// </summary>
    private async Task TimeOutAsync(RequestId upstreamId)
    {
        if (!_byUpstreamId.TryGetValue(upstreamId, out var tracked) || !Finish(tracked, AuditOutcomes.Timeout))
        {
            return;
        }

        var after = Seconds(Server.RequestTimeout);
        RelayLog.TimedOut(_logger, Server.Name, tracked.Method, after);
        await AnswerAsync(RelayMessages.Error(tracked.ClientId, RelayMessages.RequestTimedOut, $"the server {Server.Name} did not answer {tracked.Method} within {after}")).ConfigureAwait(false);
        if (_upstream.Phase == UpstreamPhase.Running)
        {
            await SendUpstreamAsync(RelayMessages.CancellationOf(upstreamId, new JsonObject { ["reason"] = $"timed out at the gateway after {after}" }), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>
    /// A server that closed answers every waiting request with an error at once, never a hang; then, if the session
    /// can reconnect, it is brought back. A connection still being brought up is no concern here: the restart that
    /// opened it sees its handshake fail.
    /// </summary>
    private async Task UpstreamGoneAsync(ITransport gone)
    {
        foreach (var own in _ownRequests.Values.Where(o => ReferenceEquals(o.Through, gone)))
        {
            own.Answer.TrySetException(new InvalidOperationException($"the server {Server.Name} closed its connection"));
        }

        var current = _upstream;
        if (!ReferenceEquals(current.Transport, gone) || current.Phase != UpstreamPhase.Running)
        {
            return;
        }

        var restart = _reconnect is not null && !_closing.IsCancellationRequested;
        var next = restart
            ? current with { Phase = UpstreamPhase.Restarting, RetryAt = _time.GetUtcNow() }
            : current with { Phase = UpstreamPhase.Failed };

        // INVARIANT: the state leaves Running before in-flight requests are collected, so a request registered
        // later reads it and answers itself; only one caller (the relay loop, a send that found the server gone, or
        // a restart that found its fresh connection already closed) makes the change.
        if (!ReferenceEquals(Interlocked.CompareExchange(ref _upstream, next, current), current))
        {
            return;
        }

        // A session that is closing ends its own relay loop: its calls were cancelled, the server did not go away.
        var outcome = _closing.IsCancellationRequested ? AuditOutcomes.Cancelled : AuditOutcomes.Unavailable;
        var inFlight = 0;
        foreach (var tracked in _byUpstreamId.Values)
        {
            if (Finish(tracked, outcome))
            {
                inFlight++;
                await AnswerAsync(RelayMessages.Error(tracked.ClientId, McpErrorCode.InternalError, $"the server {Server.Name} closed its connection before answering")).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        // Requests the server had made of the client will never be wanted now.
        foreach (var clientId in _serverRequests.Keys)
        {
            if (_serverRequests.TryRemove(clientId, out _))
            {
                await _sendToClient(RelayMessages.CancellationOf(clientId, new JsonObject { ["reason"] = $"the server {Server.Name} closed its connection" })).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        if (_closing.IsCancellationRequested)
        {
            return;
        }

        RelayLog.UpstreamClosed(_logger, Server.Name, inFlight);
        if (restart)
        {
            Track(RestartAsync(gone));
        }
    }

    /// <summary>
    /// Brings the server back: waits out the backoff, opens a new connection, replays the client's handshake, and
    /// only then lets requests through again and tells the client its lists may have changed. Gives up after
    /// <see cref="RestartBackoff.MaxAttempts"/> attempts in a row.
    /// </summary>
    private async Task RestartAsync(ITransport dead)
    {
        await DisposeQuietlyAsync(dead).ConfigureAwait(false);
        var cancellationToken = _closing.Token;

        // A server that died soon after its last restart has not recovered: the count, and the backoff, go on.
        if (_restartedAt is not { } restartedAt || _time.GetElapsedTime(restartedAt) >= _backoff.StableAfter)
        {
            _restartAttempts = 0;
        }

        var lastFailure = "it closed its connection";
        while (++_restartAttempts <= _backoff.MaxAttempts)
        {
            var attempt = _restartAttempts;
            var delay = _backoff.DelayBefore(attempt);
            _upstream = new UpstreamState(dead, UpstreamPhase.Restarting, _time.GetUtcNow() + delay);
            RelayLog.RestartScheduled(_logger, Server.Name, attempt, _backoff.MaxAttempts, delay.TotalSeconds);
            ITransport? fresh = null;
            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                using (var deadline = new CancellationTokenSource(Server.RequestTimeout, _time))
                using (var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token))
                {
                    fresh = await _reconnect!(connecting.Token).ConfigureAwait(false);
                }

                var relay = RelayUpstreamAsync(fresh, cancellationToken);
                Track(relay);
                var capabilities = await ReplayHandshakeAsync(fresh, cancellationToken).ConfigureAwait(false);
                lock (_catalogInstall)
                {
                    // The new process may have other tools than the one that died.
                    _catalogGeneration++;
                    _catalog = null;
                }

                var running = new UpstreamState(fresh, UpstreamPhase.Running);
                _upstream = running;
                _restartedAt = _time.GetTimestamp();
                RelayLog.Restarted(_logger, Server.Name, attempt);
                CountRestart("ok");
                if (relay.IsCompleted)
                {
                    // It closed between its handshake and being installed: its relay loop saw it before it counted.
                    await UpstreamGoneAsync(fresh).ConfigureAwait(false);
                    return;
                }

                await AnnounceListsChangedAsync(capabilities).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                if (fresh is not null && !ReferenceEquals(_upstream.Transport, fresh))
                {
                    await DisposeQuietlyAsync(fresh).ConfigureAwait(false);
                }

                return;
            }
#pragma warning disable CA1031 // Whatever stopped this attempt (no process, no answer, a refused handshake), the next one may succeed.
            catch (Exception e)
#pragma warning restore CA1031
            {
                lastFailure = e.Message;
                RelayLog.RestartFailed(_logger, Server.Name, attempt, new Untrusted(e.Message));
                CountRestart("failed");
                if (fresh is not null)
                {
                    await DisposeQuietlyAsync(fresh).ConfigureAwait(false);
                }
            }
        }

        var attempts = _backoff.MaxAttempts;
        _upstream = new UpstreamState(dead, UpstreamPhase.Failed, Reason: $"the server {Server.Name} is not running: the gateway gave up restarting it after {attempts} attempts (last: {lastFailure}); open a new session to try again");
        RelayLog.RestartGaveUp(_logger, Server.Name, attempts);
        CountRestart("gave_up");
    }

    private void CountRestart(string outcome) =>
        GatewayMetrics.UpstreamRestarts.Add(1, new("server", Server.Name), new("outcome", outcome));

    /// <summary>
    /// Tells a restarted server what the client told the one that died; the client never sees these answers.
    /// Returns the new server's capabilities, or null when the client had not initialized yet (it will itself).
    /// </summary>
    private async Task<JsonObject?> ReplayHandshakeAsync(ITransport fresh, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _initialize) is not { } initialize)
        {
            return null;
        }

        var answer = await RequestThroughAsync(fresh, RequestMethods.Initialize, initialize.Params?.DeepClone(), cancellationToken).ConfigureAwait(false);
        if (answer is not JsonRpcResponse { Result: JsonObject result }
            || !(result["protocolVersion"] is JsonValue chosen && chosen.TryGetValue<string>(out var version) && ProtocolVersions.Relayed.Contains(version)))
        {
            throw new InvalidOperationException($"the restarted server did not accept the client's initialize: {(answer as JsonRpcError)?.Error.Message ?? "its answer chose no protocol version the gateway relays"}");
        }

        if (Volatile.Read(ref _clientInitialized))
        {
            await fresh.SendMessageAsync(new JsonRpcNotification { Method = NotificationMethods.InitializedNotification }, cancellationToken).ConfigureAwait(false);
        }

        return result["capabilities"] as JsonObject ?? [];
    }

    /// <summary>The client learns that what it listed came from a process that is gone: tools always, resources and prompts when served.</summary>
    private async Task AnnounceListsChangedAsync(JsonObject? capabilities)
    {
        if (capabilities is null)
        {
            return;
        }

        await _sendToClient(new JsonRpcNotification { Method = NotificationMethods.ToolListChangedNotification }).ConfigureAwait(false);
        if (capabilities["resources"] is JsonObject)
        {
            await _sendToClient(new JsonRpcNotification { Method = NotificationMethods.ResourceListChangedNotification }).ConfigureAwait(false);
        }

        if (capabilities["prompts"] is JsonObject)
        {
            await _sendToClient(new JsonRpcNotification { Method = NotificationMethods.PromptListChangedNotification }).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A send that failed because the server is not there any more: nothing answered (refused, reset, a broken
    /// pipe), or the server no longer knows the session (404, as Streamable HTTP specifies for an unknown session).
    /// </summary>
    private static bool ConnectionLost(Exception failure) => failure switch
    {
        HttpRequestException http => http.StatusCode is null or System.Net.HttpStatusCode.NotFound,
        IOException => true,
        _ => failure.InnerException is { } inner && ConnectionLost(inner),
    };

    /// <summary>Why requests cannot reach the server now; null while it is running.</summary>
    private string? Unavailable(UpstreamState upstream) => upstream.Phase switch
    {
        UpstreamPhase.Running => null,
        UpstreamPhase.Restarting => $"the server {Server.Name} is restarting; retry in {RetryIn(upstream.RetryAt)}",
        _ => upstream.Reason ?? $"the server {Server.Name} is not running",
    };

    private string RetryIn(DateTimeOffset retryAt)
    {
        var seconds = Math.Ceiling((retryAt - _time.GetUtcNow()).TotalSeconds);
        return (seconds < 1 ? 1 : seconds).ToString(CultureInfo.InvariantCulture) + " s";
    }

    private async Task DisposeQuietlyAsync(ITransport transport)
    {
        try
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Closing a connection that already failed must not stop what comes next.
        catch (Exception e)
#pragma warning restore CA1031
        {
            RelayLog.CloseFailed(_logger, Server.Name, e.Message);
        }
    }

    /// <summary>
    /// Forgets a request; true for exactly one caller, the one that may answer it. A forwarded tool call's audit
    /// record then learns how it ended (<paramref name="outcome"/>, one of <see cref="AuditOutcomes"/>).
    /// </summary>
    private bool Finish(ClientRequest tracked, string outcome = AuditOutcomes.Cancelled)
    {
        lock (tracked.Gate)
        {
            if (tracked.Finished)
            {
                return false;
            }

            tracked.Finished = true;
            _byClientId.TryRemove(new KeyValuePair<RequestId, ClientRequest>(tracked.ClientId, tracked));
            if (tracked.UpstreamId is { } upstreamId)
            {
                _byUpstreamId.TryRemove(new KeyValuePair<RequestId, ClientRequest>(upstreamId, tracked));
            }

            tracked.Deadline?.Dispose();
        }

        if (tracked.TakeAuditId() is { } auditId)
        {
            var latency = tracked.UpstreamId is null ? TimeSpan.Zero : _time.GetElapsedTime(tracked.ForwardedAt);
            Track(_gate.CompleteAsync(auditId, outcome, latency));
            if (tracked.UpstreamId is not null)
            {
                GatewayMetrics.UpstreamDuration.Record(latency.TotalSeconds, new("server", Server.Name), new("outcome", outcome));
            }
        }

        GatewayTracing.End(tracked.Span, outcome, tracked.RefusedWith);
        return true;
    }

    /// <summary>How a server's answer to a request ended, for the audit; an answer that cannot be read is an error (the client gets one).</summary>
    private static string OutcomeOf(JsonRpcMessageWithId answer)
    {
        try
        {
            return answer switch
            {
                JsonRpcError => AuditOutcomes.Error,
                JsonRpcResponse { Result: JsonObject result } when result["isError"] is JsonValue isError && isError.TryGetValue<bool>(out var failed) && failed => AuditOutcomes.ToolError,
                _ => AuditOutcomes.Ok,
            };
        }
        catch (InvalidOperationException)
        {
            return AuditOutcomes.Error;
        }
        catch (ArgumentException)
        {
            return AuditOutcomes.Error;
        }
    }

    private Task AnswerAsync(JsonRpcMessage answer) => _sendToClient(answer);

    /// <summary>To the server as it is now; while it is restarting or given up, nothing can reach it and this throws.</summary>
    private Task SendUpstreamAsync(JsonRpcMessage message, CancellationToken cancellationToken)
    {
        var upstream = _upstream;
        return Unavailable(upstream) is { } unavailable
            ? Task.FromException(new InvalidOperationException(unavailable))
            : upstream.Transport.SendMessageAsync(message, cancellationToken);
    }

    private void Track(Task task) => _work.Track(task);

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s";

    private enum UpstreamPhase
    {
        Running,
        Restarting,
        Failed,
    }

    /// <summary>
    /// The connection and whether it may be used, swapped as one so no request reads one without the other.
    /// While restarting, <see cref="Transport"/> is the dead connection and <see cref="RetryAt"/> when the next attempt begins.
    /// </summary>
    private sealed record UpstreamState(ITransport Transport, UpstreamPhase Phase, DateTimeOffset RetryAt = default, string? Reason = null);
}
