using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using McpWarden.Policy.Json;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Relay;

/// <summary>
/// One client's session with several servers behind one endpoint. It holds one inner session per server (each
/// enforcing that server's policy, so nothing about enforcement changes here) and talks to each as its client,
/// under request ids of its own: the client's ids never reach a server, and no server's ids reach the client.
/// Tools and prompts are named <c>{server}__{name}</c>; resources keep their URIs and go to the server that
/// listed them; lists are merged, <c>logging/setLevel</c> fanned out, notifications fanned in. A server that
/// fails affects only what is routed to it.
/// </summary>
internal sealed class AggregateSession : IRelaySession
{
    /// <summary>Logging is gone from the stateless 2026-07-28 revision (the SDK marks its names obsolete), not from those served here.</summary>
    private const string LoggingMessage = "notifications/message";

    private readonly IReadOnlyList<AggregateMember> _members;
    private readonly Func<JsonRpcMessage, Task> _sendToClient;
    private readonly ILogger _logger;
    private readonly SessionWork _work;
    private readonly ConcurrentDictionary<RequestId, AggregateCall> _calls = new();
    private readonly ConcurrentDictionary<RequestId, RelayedServerRequest> _serverRequests = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly AggregateRequestHandlers _handlers;

    private long _nextInnerId;
    private long _nextClientSideId;
    private int _disposed;

    private AggregateSession(IReadOnlyList<AggregateMember> members, Func<JsonRpcMessage, Task> sendToClient, ILogger logger)
    {
        _members = members;
        _sendToClient = sendToClient;
        _logger = logger;
        _work = new SessionWork(e => RelayLog.AggregateRelayFailed(_logger, "the gateway's own work", e.Message));
        _handlers = new AggregateRequestHandlers(members, AskAsync, logger);
    }

    /// <summary>
    /// Opens one inner session per server, all at once. A server that cannot be started is logged and left out;
    /// when none can, this throws. The session is not yet started.
    /// </summary>
    /// <param name="servers">Server names in configured order: the first to list a resource URI serves it.</param>
    /// <param name="openServer">Opens the inner session for a server, given where that session sends what is meant for its client (the aggregate).</param>
    public static async Task<AggregateSession> OpenAsync(
        IReadOnlyList<string> servers,
        Func<string, Func<JsonRpcMessage, Task>, CancellationToken, Task<IRelaySession>> openServer,
        Func<JsonRpcMessage, Task> sendToClient,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(servers);
        ArgumentNullException.ThrowIfNull(openServer);
        if (servers.Count == 0)
        {
            throw new ArgumentException("an aggregated session needs at least one server", nameof(servers));
        }

        var members = servers.Select(name => new AggregateMember(name)).ToArray();
        var session = new AggregateSession(members, sendToClient, logger);
        var failures = await Task.WhenAll(members.Select(async member =>
        {
            try
            {
                member.Attach(await openServer(member.Name, message => session.FromServerAsync(member, message), cancellationToken).ConfigureAwait(false));
                return null;
            }
#pragma warning disable CA1031 // A server that cannot start is left out; the others are still served.
            catch (Exception e)
#pragma warning restore CA1031
            {
                member.LeftOut = true;
                if (!cancellationToken.IsCancellationRequested)
                {
                    RelayLog.AggregateOpenFailed(logger, member.Name, new Untrusted(e.Message));
                }

                return $"{member.Name}: {e.Message}";
            }
        })).ConfigureAwait(false);

        if (cancellationToken.IsCancellationRequested || !members.Any(m => m.Serves))
        {
            await session.DisposeAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException($"none of the servers could be started ({string.Join("; ", failures.OfType<string>())})");
        }

        return session;
    }

    /// <summary>The servers served: opened, and not left out after failing to initialize.</summary>
    private IEnumerable<AggregateMember> Serving => _members.Where(m => m.Serves);

    public void Start()
    {
        foreach (var member in _members.Where(m => m.IsOpen))
        {
            member.Session.Start();
        }
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

                case JsonRpcNotification { Method: NotificationMethods.ProgressNotification } progress:
                    await ProgressFromClientAsync(progress).ConfigureAwait(false);
                    break;

                case JsonRpcNotification notification when notification.Method.StartsWith("notifications/", StringComparison.Ordinal):
                    // initialized, roots/list_changed and the like concern every server the client talks to.
                    foreach (var member in Serving)
                    {
                        await member.Session.FromClientAsync(new JsonRpcNotification { Method = notification.Method, Params = notification.Params?.DeepClone() }).ConfigureAwait(false);
                    }

                    break;

                case JsonRpcNotification notification:
                    // A request sent without an id (tools/call, say) must not reach any server that might run it undecided.
                    RelayLog.AggregateDropped(_logger, $"a notification named like a request, {JsonText.Quote(notification.Method)}: requests need an id");
                    break;

                case JsonRpcMessageWithId answer when _serverRequests.TryRemove(answer.Id, out var asked):
                    await asked.Member.Session.FromClientAsync(RelayMessages.WithId(answer, asked.InnerId)).ConfigureAwait(false);
                    break;

                case JsonRpcMessageWithId stray:
                    RelayLog.DroppedStrayAnswer(_logger, "aggregated session", stray.Id, "client");
                    break;
            }
        }
#pragma warning disable CA1031 // One message that cannot be relayed is logged; the session goes on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            RelayLog.AggregateRelayFailed(_logger, "the client", e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _closing.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_work.Running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Task.WhenAll(_members.Where(m => m.IsOpen).Select(m => m.Session.DisposeAsync().AsTask())).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _closing.Dispose();
    }

    private async Task HandleRequestAsync(JsonRpcRequest request)
    {
        var call = new AggregateCall(request.Id, _closing.Token);
        if (!_calls.TryAdd(request.Id, call))
        {
            // An answer under that id would look, to the client, like the answer to the request already in flight.
            call.Dispose();
            RelayLog.AggregateDropped(_logger, $"a request whose id {request.Id} is already in use by a request in flight");
            return;
        }

        try
        {
            await AnswerAsync(call, await _handlers.HandleAsync(request, call).ConfigureAwait(false)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (call.Cancellation.IsCancellationRequested)
        {
            // Cancelled by the client, or the session is closing: no answer is due.
            Finish(call);
        }
        catch (InvalidParamsException e)
        {
            await AnswerAsync(call, RelayMessages.Error(request.Id, McpErrorCode.InvalidParams, e.Message)).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever went wrong, the client gets an error, and the session goes on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await AnswerAsync(call, RelayMessages.Error(request.Id, McpErrorCode.InternalError, $"the gateway could not handle {request.Method}: {e.Message}")).ConfigureAwait(false);
        }
        finally
        {
            call.Dispose();
        }
    }

    /// <summary>
    /// Asks one inner session under a fresh id of the aggregate's and waits for its answer. Inner sessions answer
    /// every request (with a timeout error if their server is silent), so this ends; it throws only when the
    /// call is cancelled. A session that cannot take the request yields an error answer.
    /// </summary>
    private async Task<JsonRpcMessageWithId> AskAsync(AggregateMember member, string method, JsonNode? parameters, AggregateCall call)
    {
        var asked = new InnerRequest(member, new RequestId(Interlocked.Increment(ref _nextInnerId)));
        lock (call.Gate)
        {
            // INVARIANT: a request registered here is cancelled by whoever cancels the call; after that, nothing is asked.
            if (call.Finished)
            {
                throw new OperationCanceledException(call.Cancellation.Token);
            }

            call.Outstanding.Add(asked);
        }

        member.Pending[asked.Id] = asked;
        try
        {
            try
            {
                await member.Session.FromClientAsync(new JsonRpcRequest { Id = asked.Id, Method = method, Params = parameters }).ConfigureAwait(false);
            }
            finally
            {
                asked.Sent.TrySetResult();
            }

            return await asked.Answer.Task.WaitAsync(call.Cancellation.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return RelayMessages.Error(asked.Id, McpErrorCode.InternalError, $"the gateway could not ask {member.Name}: {e.Message}");
        }
        finally
        {
            member.Pending.TryRemove(asked.Id, out _);
            lock (call.Gate)
            {
                call.Outstanding.Remove(asked);
            }
        }
    }

    /// <summary>
    /// The client cancels one of its requests: whatever the aggregate asked of servers for it is cancelled
    /// under the ids those sessions know, and no answer is sent.
    /// </summary>
    private async Task CancelFromClientAsync(JsonRpcNotification cancelled)
    {
        if (RelayMessages.ReadRequestId(cancelled.Params) is not { } clientId || !_calls.TryGetValue(clientId, out var call))
        {
            return;
        }

        InnerRequest[] outstanding;
        lock (call.Gate)
        {
            if (call.Finished)
            {
                return;
            }

            call.Finished = true;
            outstanding = [.. call.Outstanding];
        }

        _calls.TryRemove(new KeyValuePair<RequestId, AggregateCall>(clientId, call));
        try
        {
            await call.Cancellation.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The call's work has already ended.
        }

        foreach (var asked in outstanding)
        {
            // The cancellation must not reach the inner session before the request it cancels.
            await asked.Sent.Task.ConfigureAwait(false);
            await asked.Member.Session.FromClientAsync(RelayMessages.CancellationOf(asked.Id, cancelled.Params)).ConfigureAwait(false);
        }
    }

    /// <summary>Progress the client reports on a server's request (a long sampling, say) goes to the server that asked.</summary>
    private async Task ProgressFromClientAsync(JsonRpcNotification progress)
    {
        var token = (progress.Params as JsonObject)?["progressToken"]?.ToJsonString();
        if (token is not null && _serverRequests.Values.FirstOrDefault(r => r.ProgressToken == token) is { } asked)
        {
            await asked.Member.Session.FromClientAsync(progress).ConfigureAwait(false);
        }
    }

    /// <summary>What an inner session sends its client: answers to the aggregate, and whatever is meant for the real client.</summary>
    private async Task FromServerAsync(AggregateMember member, JsonRpcMessage message)
    {
        try
        {
            switch (message)
            {
                case JsonRpcMessageWithId answer and (JsonRpcResponse or JsonRpcError):
                    if (member.Pending.TryGetValue(answer.Id, out var asked))
                    {
                        asked.Answer.TrySetResult(answer);
                    }
                    else
                    {
                        RelayLog.DroppedStrayAnswer(_logger, member.Name, answer.Id, "server");
                    }

                    break;

                case var _ when member.LeftOut:
                    RelayLog.AggregateDroppedFromLeftOut(_logger, member.Name, new Untrusted((message as JsonRpcRequest)?.Method ?? (message as JsonRpcNotification)?.Method ?? "?"));
                    break;

                case JsonRpcRequest request:
                    // Sampling, elicitation, roots: the client sees a fresh id, whichever server asked.
                    var clientId = new RequestId(Interlocked.Increment(ref _nextClientSideId));
                    _serverRequests[clientId] = new RelayedServerRequest(member, request.Id, RelayMessages.ProgressTokenOf(request.Params));
                    await _sendToClient(new JsonRpcRequest { Id = clientId, Method = request.Method, Params = request.Params }).ConfigureAwait(false);
                    break;

                case JsonRpcNotification { Method: NotificationMethods.CancelledNotification } cancelled:
                    await ServerCancelledAsync(member, cancelled).ConfigureAwait(false);
                    break;

                case JsonRpcNotification { Method: LoggingMessage } logged:
                    await _sendToClient(WithLogger(logged, member.Name)).ConfigureAwait(false);
                    break;

                case JsonRpcNotification notification:
                    // Progress carries the client's own token; list changes, resource updates and the rest pass as they are.
                    await _sendToClient(notification).ConfigureAwait(false);
                    break;
            }
        }
#pragma warning disable CA1031 // One message that cannot be relayed is logged; the session goes on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            RelayLog.AggregateRelayFailed(_logger, member.Name, e.Message);
        }
    }

    /// <summary>A server cancels a request it made of the client: the client knows it by the aggregate's id.</summary>
    private async Task ServerCancelledAsync(AggregateMember member, JsonRpcNotification cancelled)
    {
        if (RelayMessages.ReadRequestId(cancelled.Params) is not { } innerId)
        {
            return;
        }

        foreach (var (clientId, relayed) in _serverRequests)
        {
            if (relayed.Member == member && relayed.InnerId == innerId
                && _serverRequests.TryRemove(new KeyValuePair<RequestId, RelayedServerRequest>(clientId, relayed)))
            {
                await _sendToClient(RelayMessages.CancellationOf(clientId, cancelled.Params)).ConfigureAwait(false);
                return;
            }
        }
    }

    /// <summary>A log message names its server in <c>logger</c> when the server named no logger itself; the rest stays as it was.</summary>
    private static JsonRpcNotification WithLogger(JsonRpcNotification logged, string server)
    {
        if (logged.Params is not JsonObject parameters || parameters.ContainsKey("logger"))
        {
            return logged;
        }

        var named = (JsonObject)parameters.DeepClone();
        named["logger"] = server;
        return new JsonRpcNotification { Method = logged.Method, Params = named };
    }

    /// <summary>Answers the call, unless it was already answered or cancelled.</summary>
    private async Task AnswerAsync(AggregateCall call, JsonRpcMessage answer)
    {
        if (Finish(call))
        {
            await _sendToClient(answer).ConfigureAwait(false);
        }
    }

    /// <summary>Forgets a call; true for exactly one caller, the one that may answer it.</summary>
    private bool Finish(AggregateCall call)
    {
        lock (call.Gate)
        {
            if (call.Finished)
            {
                return false;
            }

            call.Finished = true;
        }

        _calls.TryRemove(new KeyValuePair<RequestId, AggregateCall>(call.ClientId, call));
        return true;
    }

    private void Track(Task task) => _work.Track(task);
}
