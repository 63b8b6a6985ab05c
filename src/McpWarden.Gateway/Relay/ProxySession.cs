using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Enforcement;
using McpWarden.Policy.Evaluation;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Relay;

/// <summary>
/// One client's session with one server through the gateway. Every message passes through unchanged
/// (params and results stay raw JSON) except what the policy governs: <c>tools/list</c> answers are
/// filtered, and each <c>tools/call</c> is decided from its body before it may reach the server. Request
/// ids are remapped in both directions, so the gateway can make requests of its own (refreshing the tool
/// list) and no id of one side is ever mistaken for the other's.
/// </summary>
public sealed class ProxySession : IAsyncDisposable
{
    private readonly ServerDefinition _server;
    private readonly string _grant;
    private readonly string _sessionId;
    private readonly ITransport _upstream;
    private readonly Func<JsonRpcMessage, CancellationToken, Task> _sendToClient;
    private readonly ToolCallEnforcer _enforcer;
    private readonly TimeProvider _time;
    private readonly Action<string> _log;

    private readonly ConcurrentDictionary<RequestId, PendingClientRequest> _clientRequests = new();
    private readonly ConcurrentDictionary<RequestId, RequestId> _serverRequests = new();
    private readonly ConcurrentDictionary<RequestId, TaskCompletionSource<JsonRpcMessage>> _ownRequests = new();
    private readonly ConcurrentDictionary<Task, byte> _decisions = new();
    private readonly SemaphoreSlim _catalogGate = new(1, 1);
    private readonly CancellationTokenSource _closing = new();

    private long _nextUpstreamId;
    private long _nextClientId;
    private volatile ToolCatalog? _catalog;
    private volatile bool _upstreamGone;

    public ProxySession(
        ServerDefinition server,
        string grant,
        string sessionId,
        ITransport upstream,
        Func<JsonRpcMessage, CancellationToken, Task> sendToClient,
        ToolCallEnforcer enforcer,
        TimeProvider time,
        Action<string> log)
    {
        _server = server;
        _grant = grant;
        _sessionId = sessionId;
        _upstream = upstream;
        _sendToClient = sendToClient;
        _enforcer = enforcer;
        _time = time;
        _log = log;
    }

    /// <summary>Relays the server's messages to the client until the server's side closes.</summary>
    public async Task RunUpstreamAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in _upstream.MessageReader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await FromUpstreamAsync(message, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await UpstreamGoneAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Handles one message from the client, in the order the client sent them.</summary>
    public async Task FromClientAsync(JsonRpcMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        switch (message)
        {
            case JsonRpcRequest { Method: "tools/call" } call:
                // Deciding may wait (for the tool list, later for a person): it must not hold up the messages after it.
                Track(DecideAndForwardAsync(call, _closing.Token));
                break;

            case JsonRpcRequest request:
                await ForwardRequestAsync(request, cancellationToken).ConfigureAwait(false);
                break;

            case JsonRpcNotification { Method: "notifications/cancelled" } cancelled:
                await ForwardCancellationAsync(cancelled, cancellationToken).ConfigureAwait(false);
                break;

            case JsonRpcNotification notification:
                await SendUpstreamAsync(notification, cancellationToken).ConfigureAwait(false);
                break;

            case JsonRpcMessageWithId answer when _serverRequests.TryRemove(answer.Id, out var upstreamId):
                await SendUpstreamAsync(WithId(answer, upstreamId), cancellationToken).ConfigureAwait(false);
                break;

            case JsonRpcMessageWithId stray:
                _log($"dropped an answer to request {stray.Id} that the gateway never sent to the client");
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_decisions.Keys).ConfigureAwait(false);
        await _upstream.DisposeAsync().ConfigureAwait(false);
        _closing.Dispose();
        _catalogGate.Dispose();
    }

    private async Task DecideAndForwardAsync(JsonRpcRequest call, CancellationToken cancellationToken)
    {
        try
        {
            var (tool, arguments) = ReadCall(call.Params);
            var catalog = await CatalogAsync(cancellationToken).ConfigureAwait(false);
            var decision = await _enforcer.DecideAsync(_server.Policy, new ToolCall(_server.Name, tool, arguments, _grant, _sessionId), catalog.Snapshot, cancellationToken).ConfigureAwait(false);
            if (decision.Kind == DecisionKind.Approve)
            {
                // Fail closed until an approval queue holds the call for a person.
                decision = Decision.Deny(ReasonCodes.ApprovalRequired, decision.RulePath, "this call needs a person's approval, and this gateway has no approval queue to hold it", decision.Rule);
            }

            _log($"{_server.Name} {tool}: {decision}");
            if (decision.Kind == DecisionKind.Deny && _server.Mode == EnforcementMode.Enforce)
            {
                await _sendToClient(Refusal(call.Id, decision), cancellationToken).ConfigureAwait(false);
                return;
            }

            await ForwardRequestAsync(call, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The session is closing; the client is gone.
        }
#pragma warning disable CA1031 // Fail closed: whatever went wrong, the client gets an error and nothing reaches the server.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await _sendToClient(Error(call.Id, McpErrorCode.InternalError, $"the gateway could not decide this call, so it was not forwarded: {e.Message}"), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static (string Tool, JsonElement Arguments) ReadCall(JsonNode? parameters)
    {
        if (parameters?["name"] is not JsonValue name || !name.TryGetValue<string>(out var tool))
        {
            throw new InvalidOperationException("tools/call needs a string \"name\"");
        }

        // Missing arguments are read as {}; anything else, an array say, is judged by the evaluator.
        var arguments = parameters["arguments"] is { } node
            ? JsonSerializer.SerializeToElement(node, ToolCatalogJsonContext.Default.JsonNode)
            : default;
        return (tool, arguments);
    }

    private async Task ForwardRequestAsync(JsonRpcRequest request, CancellationToken cancellationToken)
    {
        if (_upstreamGone)
        {
            await _sendToClient(Error(request.Id, McpErrorCode.InternalError, $"the server {_server.Name} is not running"), cancellationToken).ConfigureAwait(false);
            return;
        }

        var upstreamId = new RequestId(Interlocked.Increment(ref _nextUpstreamId));
        var isFullList = request.Method == "tools/list" && request.Params?["cursor"] is null;
        var pending = new PendingClientRequest(request.Id, request.Method, isFullList);
        _clientRequests[upstreamId] = pending;
        pending.Deadline = _time.CreateTimer(_ => Track(TimeOutAsync(upstreamId)), null, _server.RequestTimeout, Timeout.InfiniteTimeSpan);
        await SendUpstreamAsync(new JsonRpcRequest { Id = upstreamId, Method = request.Method, Params = request.Params }, cancellationToken).ConfigureAwait(false);
    }

    private async Task ForwardCancellationAsync(JsonRpcNotification cancelled, CancellationToken cancellationToken)
    {
        // The client names its own id; the server only knows the gateway's.
        var clientId = ReadRequestId(cancelled.Params?["requestId"]);
        var pending = _clientRequests.FirstOrDefault(p => clientId is { } id && p.Value.ClientId == id);
        if (pending.Value is null)
        {
            return;
        }

        var parameters = cancelled.Params!.DeepClone();
        parameters["requestId"] = JsonSerializer.SerializeToNode(pending.Key, McpJson.RequestId);
        await SendUpstreamAsync(new JsonRpcNotification { Method = cancelled.Method, Params = parameters }, cancellationToken).ConfigureAwait(false);
    }

    private async Task FromUpstreamAsync(JsonRpcMessage message, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case JsonRpcMessageWithId answer and (JsonRpcResponse or JsonRpcError) when _ownRequests.TryRemove(answer.Id, out var own):
                own.TrySetResult(answer);
                break;

            case JsonRpcMessageWithId answer and (JsonRpcResponse or JsonRpcError) when _clientRequests.TryRemove(answer.Id, out var pending):
                pending.Dispose();
                if (answer is JsonRpcResponse { Result: { } result } && pending.Method == "tools/list")
                {
                    if (pending.IsFullToolList && result["nextCursor"] is null)
                    {
                        // The newest full list the gateway has seen is the one calls are decided against.
                        _catalog = ToolCatalogReader.Read([result]);
                    }

                    // Observe mode refuses nothing, so it hides nothing either: the agent sees what it would without the gateway.
                    if (_server.Mode == EnforcementMode.Enforce)
                    {
                        answer = new JsonRpcResponse { Id = answer.Id, Result = ToolListFilter.Filter(result, _server.Policy) };
                    }
                }

                await _sendToClient(WithId(answer, pending.ClientId), cancellationToken).ConfigureAwait(false);
                break;

            case JsonRpcRequest request:
                var clientId = new RequestId(Interlocked.Increment(ref _nextClientId));
                _serverRequests[clientId] = request.Id;
                await _sendToClient(new JsonRpcRequest { Id = clientId, Method = request.Method, Params = request.Params }, cancellationToken).ConfigureAwait(false);
                break;

            case JsonRpcNotification { Method: "notifications/tools/list_changed" } changed:
                // The client hears of the change only once the gateway's own view has caught up, so that no
                // call can name a tool the gateway has not yet seen.
                Track(RefreshThenRelayAsync(changed, _closing.Token));
                break;

            case JsonRpcNotification notification:
                await _sendToClient(notification, cancellationToken).ConfigureAwait(false);
                break;

            case JsonRpcMessageWithId stray:
                _log($"dropped an answer from {_server.Name} to request {stray.Id} that no one sent");
                break;
        }
    }

    private async Task RefreshThenRelayAsync(JsonRpcNotification changed, CancellationToken cancellationToken)
    {
        try
        {
            _catalog = null;
            await CatalogAsync(cancellationToken).ConfigureAwait(false);
            await _sendToClient(changed, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // A failed refresh leaves the catalogue empty (calls are refused), and is logged.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _log($"{_server.Name}: could not refresh the tool list: {e.Message}");
        }
    }

    /// <summary>The server's tools as last seen, fetched (every page) when there is no current view.</summary>
    private async Task<ToolCatalog> CatalogAsync(CancellationToken cancellationToken)
    {
        if (_catalog is { } current)
        {
            return current;
        }

        await _catalogGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_catalog is { } fetched)
            {
                return fetched;
            }

            var pages = new List<JsonNode?>();
            string? cursor = null;
            do
            {
                var parameters = cursor is null ? null : new JsonObject { ["cursor"] = cursor };
                var answer = await RequestUpstreamAsync("tools/list", parameters, cancellationToken).ConfigureAwait(false);
                if (answer is not JsonRpcResponse { Result: { } result })
                {
                    throw new InvalidOperationException($"{_server.Name} answered tools/list with an error: {(answer as JsonRpcError)?.Error.Message}");
                }

                pages.Add(result);
                cursor = result["nextCursor"] is JsonValue next && next.TryGetValue<string>(out var text) ? text : null;
            }
            while (cursor is not null && pages.Count < 1000);

            var catalog = ToolCatalogReader.Read(pages);
            foreach (var finding in catalog.Findings)
            {
                _log($"{_server.Name}: {finding}");
            }

            _catalog = catalog;
            return catalog;
        }
        finally
        {
            _catalogGate.Release();
        }
    }

    private async Task<JsonRpcMessage> RequestUpstreamAsync(string method, JsonNode? parameters, CancellationToken cancellationToken)
    {
        var id = new RequestId(Interlocked.Increment(ref _nextUpstreamId));
        var answer = new TaskCompletionSource<JsonRpcMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ownRequests[id] = answer;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_server.RequestTimeout);
        await SendUpstreamAsync(new JsonRpcRequest { Id = id, Method = method, Params = parameters }, timeout.Token).ConfigureAwait(false);
        try
        {
            return await answer.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            _ownRequests.TryRemove(id, out _);
        }
    }

    private Task SendUpstreamAsync(JsonRpcMessage message, CancellationToken cancellationToken) =>
        _upstream.SendMessageAsync(message, cancellationToken);

    /// <summary>An upstream that closed answers every waiting request with an error at once, never a hang.</summary>
    private async Task UpstreamGoneAsync()
    {
        _upstreamGone = true;
        foreach (var own in _ownRequests.Values)
        {
            own.TrySetException(new InvalidOperationException($"the server {_server.Name} closed its connection"));
        }

        foreach (var (id, pending) in _clientRequests)
        {
            if (_clientRequests.TryRemove(id, out _))
            {
                pending.Dispose();
                await _sendToClient(Error(pending.ClientId, McpErrorCode.InternalError, $"the server {_server.Name} closed its connection before answering"), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// A request the server has not answered in time: the client gets an error now, and the server is told
    /// to stop (<c>notifications/cancelled</c>), so neither side waits for the other forever.
    /// </summary>
    private async Task TimeOutAsync(RequestId upstreamId)
    {
        if (!_clientRequests.TryRemove(upstreamId, out var pending))
        {
            return;
        }

        pending.Dispose();
        var after = $"{_server.RequestTimeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}s";
        _log($"{_server.Name}: {pending.Method} timed out after {after}");
        await _sendToClient(Error(pending.ClientId, RequestTimedOut, $"the server {_server.Name} did not answer {pending.Method} within {after}"), CancellationToken.None).ConfigureAwait(false);
        if (!_upstreamGone)
        {
            var cancelled = new JsonObject
            {
                ["requestId"] = JsonSerializer.SerializeToNode(upstreamId, McpJson.RequestId),
                ["reason"] = $"timed out at the gateway after {after}",
            };
            await SendUpstreamAsync(new JsonRpcNotification { Method = "notifications/cancelled", Params = cancelled }, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private void Track(Task task)
    {
        _decisions[task] = 0;
        _ = task.ContinueWith(t => _decisions.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static JsonRpcMessage Refusal(RequestId id, Decision decision) =>
        DenialResponses.IsProtocolError(decision)
            ? new JsonRpcError
            {
                Id = id,
                Error = new JsonRpcErrorDetail { Code = DenialResponses.UnknownToolErrorCode, Message = decision.Message, Data = DenialResponses.PolicyObject(decision) },
            }
            : new JsonRpcResponse { Id = id, Result = DenialResponses.ToolResult(decision) };

    /// <summary>The code MCP clients use for a request that timed out.</summary>
    private const McpErrorCode RequestTimedOut = (McpErrorCode)(-32001);

    private static JsonRpcError Error(RequestId id, McpErrorCode code, string message) =>
        new() { Id = id, Error = new JsonRpcErrorDetail { Code = (int)code, Message = message } };

    private static JsonRpcMessage WithId(JsonRpcMessageWithId message, RequestId id) => message switch
    {
        JsonRpcResponse response => new JsonRpcResponse { Id = id, Result = response.Result },
        JsonRpcError error => new JsonRpcError { Id = id, Error = error.Error },
        _ => throw new ArgumentException($"not an answer: {message.GetType().Name}", nameof(message)),
    };

    private static RequestId? ReadRequestId(JsonNode? node) =>
        node is null ? null : JsonSerializer.Deserialize(node, McpJson.RequestId);
}
