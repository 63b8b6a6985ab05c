using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using McpWarden.Gateway.Enforcement;
using McpWarden.Policy.Evaluation;
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
    /// <summary>However many pages a server offers, the aggregate reads at most this many of one list.</summary>
    private const int MaxPagesPerServer = 1000;

    /// <summary>Logging is gone from the stateless 2026-07-28 revision (the SDK marks its names obsolete), not from those served here.</summary>
    private const string LoggingSetLevel = "logging/setLevel";

    private const string LoggingMessage = "notifications/message";

    private readonly IReadOnlyList<AggregateMember> _members;
    private readonly Func<JsonRpcMessage, Task> _sendToClient;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<RequestId, AggregateCall> _calls = new();
    private readonly ConcurrentDictionary<RequestId, RelayedServerRequest> _serverRequests = new();
    private readonly ConcurrentDictionary<Task, byte> _work = new();
    private readonly CancellationTokenSource _closing = new();

    private long _nextInnerId;
    private long _nextClientSideId;
    private int _disposed;

    private AggregateSession(IReadOnlyList<AggregateMember> members, Func<JsonRpcMessage, Task> sendToClient, ILogger logger)
    {
        _members = members;
        _sendToClient = sendToClient;
        _logger = logger;
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
        await Task.WhenAll(_work.Keys).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
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
            await AnswerAsync(call, await DispatchAsync(request, call).ConfigureAwait(false)).ConfigureAwait(false);
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

    private Task<JsonRpcMessage> DispatchAsync(JsonRpcRequest request, AggregateCall call) => request.Method switch
    {
        RequestMethods.Initialize => InitializeAsync(request, call),
        RequestMethods.Ping => Task.FromResult<JsonRpcMessage>(new JsonRpcResponse { Id = request.Id, Result = new JsonObject() }),
        RequestMethods.ServerDiscover => Task.FromResult<JsonRpcMessage>(RelayMessages.StatelessRevisionRefused(request.Id)),
        RequestMethods.ToolsList => ListAsync(request, AggregateList.Tools, call),
        RequestMethods.PromptsList => ListAsync(request, AggregateList.Prompts, call),
        RequestMethods.ResourcesList => ListAsync(request, AggregateList.Resources, call),
        RequestMethods.ResourcesTemplatesList => ListAsync(request, AggregateList.ResourceTemplates, call),
        RequestMethods.ToolsCall => CallToolAsync(request, call),
        RequestMethods.PromptsGet => GetPromptAsync(request, call),
        RequestMethods.ResourcesRead or RequestMethods.ResourcesSubscribe or RequestMethods.ResourcesUnsubscribe => RouteByUriAsync(request, call),
        RequestMethods.CompletionComplete => CompleteAsync(request, call),
        LoggingSetLevel => SetLevelAsync(request, call),
        _ => Task.FromResult<JsonRpcMessage>(RelayMessages.Error(
            request.Id,
            McpErrorCode.MethodNotFound,
            $"the aggregated endpoint does not relay {JsonText.Quote(request.Method)}: no single server owns it; connect to one server to use it")),
    };

    /// <summary>
    /// The client's <c>initialize</c>, capabilities and all, goes to every server. A server that fails is left
    /// out of the session and the rest are served; only when none initializes is the answer an error.
    /// </summary>
    private async Task<JsonRpcMessage> InitializeAsync(JsonRpcRequest request, AggregateCall call)
    {
        var members = Serving.ToArray();
        var answers = await Task.WhenAll(members.Select(m => AskAsync(m, request.Method, request.Params?.DeepClone(), call))).ConfigureAwait(false);
        var initialized = new List<(string Server, JsonObject Result)>();
        var failures = new List<string>();
        for (var i = 0; i < members.Length; i++)
        {
            if (answers[i] is JsonRpcResponse { Result: JsonObject result })
            {
                members[i].Capabilities = result["capabilities"] as JsonObject is { } declared ? (JsonObject)declared.DeepClone() : [];
                initialized.Add((members[i].Name, result));
                continue;
            }

            var reason = Reason(answers[i]);
            members[i].LeftOut = true;
            RelayLog.AggregateInitializeFailed(_logger, members[i].Name, new Untrusted(reason));
            failures.Add($"{members[i].Name}: {reason}");
        }

        return initialized.Count == 0
            ? RelayMessages.Error(request.Id, McpErrorCode.InternalError, $"no server could be initialized ({string.Join("; ", failures)})")
            : new JsonRpcResponse { Id = request.Id, Result = AggregateInitialization.Merge(initialized) };
    }

    /// <summary>
    /// Every server's whole list (each page, in order) as one page, in configured order. A server that fails to
    /// answer is logged and its items are missing; only when every server fails is the answer an error.
    /// </summary>
    private async Task<JsonRpcMessage> ListAsync(JsonRpcRequest request, AggregateList list, AggregateCall call)
    {
        if (request.Params is JsonObject parameters && parameters["cursor"] is not null)
        {
            throw new InvalidParamsException($"the aggregated endpoint answers {request.Method} on one page and gives no cursor; list again without one");
        }

        var listed = await FetchEveryServerAsync(list, call).ConfigureAwait(false);
        if (listed.Length > 0 && listed.All(l => l.Items is null))
        {
            return RelayMessages.Error(request.Id, McpErrorCode.InternalError, $"no server answered {request.Method} ({string.Join("; ", listed.Select(l => $"{l.Server}: {l.Failure}"))})");
        }

        var merged = list.Merge(
            listed.Where(l => l.Items is not null).Select(l => (l.Server, (IReadOnlyList<JsonObject>)l.Items!)),
            (server, uri, owner) => RelayLog.AggregateDuplicateUri(_logger, server, new Untrusted(uri), owner));
        return new JsonRpcResponse { Id = request.Id, Result = new JsonObject { [list.ItemsKey] = merged } };
    }

    /// <summary>Every page of one list from every server that declared the feature; resources and templates are remembered for routing.</summary>
    private async Task<(string Server, List<JsonObject>? Items, string? Failure)[]> FetchEveryServerAsync(AggregateList list, AggregateCall call)
    {
        var members = Serving.Where(m => m.Declares(list.Capability)).ToArray();
        var listed = await Task.WhenAll(members.Select(m => FetchPagesAsync(m, list, call))).ConfigureAwait(false);
        for (var i = 0; i < members.Length; i++)
        {
            if (listed[i].Items is not { } items)
            {
                RelayLog.AggregateFanOutFailed(_logger, members[i].Name, list.Method, new Untrusted(listed[i].Failure!));
            }
            else if (list == AggregateList.Resources)
            {
                members[i].ListedUris = items.Select(list.IdentityOf).OfType<string>().ToHashSet(StringComparer.Ordinal);
            }
            else if (list == AggregateList.ResourceTemplates)
            {
                members[i].ListedTemplates = items.Select(list.IdentityOf).OfType<string>().Select(UriTemplatePattern.Parse).ToArray();
            }
        }

        return members.Select((m, i) => (m.Name, listed[i].Items, listed[i].Failure)).ToArray();
    }

    private async Task<(List<JsonObject>? Items, string? Failure)> FetchPagesAsync(AggregateMember member, AggregateList list, AggregateCall call)
    {
        var items = new List<JsonObject>();
        string? cursor = null;
        for (var page = 0; page < MaxPagesPerServer; page++)
        {
            var answer = await AskAsync(member, list.Method, cursor is null ? null : new JsonObject { ["cursor"] = cursor }, call).ConfigureAwait(false);
            if (answer is not JsonRpcResponse { Result: JsonObject result })
            {
                return (null, Reason(answer));
            }

            if (result[list.ItemsKey] is JsonArray array)
            {
                items.AddRange(array.OfType<JsonObject>());
            }

            cursor = result["nextCursor"] is JsonValue next && next.TryGetValue<string>(out var text) ? text : null;
            if (cursor is null)
            {
                return (items, null);
            }
        }

        RelayLog.AggregateListTruncated(_logger, member.Name, list.Method, MaxPagesPerServer);
        return (items, null);
    }

    /// <summary><c>tools/call</c> for <c>{server}__{tool}</c> goes to that server as <c>{tool}</c>, where its policy decides it.</summary>
    private async Task<JsonRpcMessage> CallToolAsync(JsonRpcRequest request, AggregateCall call)
    {
        var (parameters, name) = ReadName(request, "tools/call needs params with a string \"name\"");
        if (ResolvePrefixed(name) is not ({ } member, { } tool))
        {
            // A tool no server of the session has: the same error, and the same machine-readable reason, as a server's unknown tool.
            var decision = Decision.Deny(ReasonCodes.UnknownTool, string.Empty, UnknownName("tool", name));
            RelayLog.Decided(_logger, "aggregated session", new Untrusted(name), decision);
            return new JsonRpcError { Id = request.Id, Error = DenialResponses.UnknownToolError(decision) };
        }

        parameters["name"] = tool;
        return await ForwardAsync(member, request.Method, parameters, call).ConfigureAwait(false);
    }

    private async Task<JsonRpcMessage> GetPromptAsync(JsonRpcRequest request, AggregateCall call)
    {
        var (parameters, name) = ReadName(request, "prompts/get needs params with a string \"name\"");
        if (ResolvePrefixed(name) is not ({ } member, { } prompt))
        {
            return RelayMessages.Error(request.Id, McpErrorCode.InvalidParams, UnknownName("prompt", name));
        }

        parameters["name"] = prompt;
        return await ForwardAsync(member, request.Method, parameters, call).ConfigureAwait(false);
    }

    /// <summary><c>resources/read</c>, <c>subscribe</c> and <c>unsubscribe</c> go to the server that owns the URI, unchanged.</summary>
    private async Task<JsonRpcMessage> RouteByUriAsync(JsonRpcRequest request, AggregateCall call)
    {
        if (request.Params is not JsonObject parameters || parameters["uri"] is not JsonValue value || !value.TryGetValue<string>(out var uri))
        {
            throw new InvalidParamsException($"{request.Method} needs params with a string \"uri\"");
        }

        return await OwnerOfAsync(uri, call).ConfigureAwait(false) is { } owner
            ? await ForwardAsync(owner, request.Method, parameters.DeepClone(), call).ConfigureAwait(false)
            : RelayMessages.Error(request.Id, McpErrorCode.InvalidParams, $"no server of this session lists the resource {JsonText.Quote(uri)} or a template that produces it");
    }

    /// <summary>A prompt's completion goes to the prompt's server (bare name); a resource template's to the server that listed it.</summary>
    private async Task<JsonRpcMessage> CompleteAsync(JsonRpcRequest request, AggregateCall call)
    {
        var parameters = request.Params is JsonObject given ? (JsonObject)given.DeepClone() : null;
        var reference = parameters?["ref"] as JsonObject;
        var type = reference?["type"] is JsonValue typeValue && typeValue.TryGetValue<string>(out var text) ? text : null;
        switch (type)
        {
            case "ref/prompt" when reference!["name"] is JsonValue nameValue && nameValue.TryGetValue<string>(out var name):
                if (ResolvePrefixed(name) is not ({ } member, { } prompt))
                {
                    return RelayMessages.Error(request.Id, McpErrorCode.InvalidParams, UnknownName("prompt", name));
                }

                reference["name"] = prompt;
                return await ForwardAsync(member, request.Method, parameters, call).ConfigureAwait(false);

            case "ref/resource" when reference!["uri"] is JsonValue uriValue && uriValue.TryGetValue<string>(out var uri):
                var owner = Serving.FirstOrDefault(m => m.ListedTemplates.Any(t => t.Template == uri)) ?? await OwnerOfAsync(uri, call).ConfigureAwait(false);
                return owner is null
                    ? RelayMessages.Error(request.Id, McpErrorCode.InvalidParams, $"no server of this session lists the resource template {JsonText.Quote(uri)}")
                    : await ForwardAsync(owner, request.Method, parameters, call).ConfigureAwait(false);

            default:
                throw new InvalidParamsException("completion/complete needs a \"ref\" of type \"ref/prompt\" with a \"name\" or \"ref/resource\" with a \"uri\"");
        }
    }

    /// <summary>
    /// The level goes to every server that declared logging; the client hears success once all have answered
    /// and any has accepted it. A server's refusal is logged: it does not undo the others'.
    /// </summary>
    private async Task<JsonRpcMessage> SetLevelAsync(JsonRpcRequest request, AggregateCall call)
    {
        var members = Serving.Where(m => m.Declares("logging")).ToArray();
        if (members.Length == 0)
        {
            return RelayMessages.Error(request.Id, McpErrorCode.MethodNotFound, "no server of this session declared logging");
        }

        var answers = await Task.WhenAll(members.Select(m => AskAsync(m, request.Method, request.Params?.DeepClone(), call))).ConfigureAwait(false);
        for (var i = 0; i < members.Length; i++)
        {
            if (answers[i] is not JsonRpcResponse)
            {
                RelayLog.AggregateFanOutFailed(_logger, members[i].Name, request.Method, new Untrusted(Reason(answers[i])));
            }
        }

        if (answers.Any(a => a is JsonRpcResponse))
        {
            return new JsonRpcResponse { Id = request.Id, Result = new JsonObject() };
        }

        var first = (answers[0] as JsonRpcError)?.Error;
        return new JsonRpcError
        {
            Id = request.Id,
            Error = new JsonRpcErrorDetail
            {
                Code = first?.Code ?? (int)McpErrorCode.InternalError,
                Message = $"every server refused {request.Method} ({string.Join("; ", members.Select((m, i) => $"{m.Name}: {Reason(answers[i])}"))})",
            },
        };
    }

    /// <summary>
    /// The server that listed <paramref name="uri"/> (the first configured, when several did), else the first whose
    /// template produces it. A URI never seen is looked up once more in fresh lists before it is refused.
    /// </summary>
    private async Task<AggregateMember?> OwnerOfAsync(string uri, AggregateCall call)
    {
        if (KnownOwnerOf(uri) is { } owner)
        {
            return owner;
        }

        await Task.WhenAll(FetchEveryServerAsync(AggregateList.Resources, call), FetchEveryServerAsync(AggregateList.ResourceTemplates, call)).ConfigureAwait(false);
        return KnownOwnerOf(uri);
    }

    private AggregateMember? KnownOwnerOf(string uri) =>
        Serving.FirstOrDefault(m => m.Lists(uri)) ?? Serving.FirstOrDefault(m => m.HasTemplateFor(uri));

    /// <summary>The server named by the prefix and the name it knows; null when no served server has that prefix.</summary>
    private (AggregateMember Member, string Name)? ResolvePrefixed(string prefixed) =>
        AggregateNames.TrySplit(prefixed, out var server, out var name) && Serving.FirstOrDefault(m => m.Name == server) is { } member
            ? (member, name)
            : null;

    private string UnknownName(string kind, string name)
    {
        var servers = string.Join(", ", Serving.Select(m => m.Name));
        return AggregateNames.TrySplit(name, out var server, out _) && _members.Any(m => m.Name == server)
            ? $"the server {server} is not part of this session: it failed to start or to initialize"
            : $"no server of this session has a {kind} named {JsonText.Quote(name)}: names here are {{server}}__{{{kind}}}, and the servers are {servers}";
    }

    /// <summary>A routed request: asked of one server; its answer, whatever it is, goes back under the client's id.</summary>
    private async Task<JsonRpcMessage> ForwardAsync(AggregateMember member, string method, JsonNode? parameters, AggregateCall call) =>
        RelayMessages.WithId(await AskAsync(member, method, parameters, call).ConfigureAwait(false), call.ClientId);

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
                    _serverRequests[clientId] = new RelayedServerRequest(member, request.Id, (request.Params as JsonObject)?["_meta"]?["progressToken"]?.ToJsonString());
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

    private static (JsonObject Parameters, string Name) ReadName(JsonRpcRequest request, string expectation) =>
        request.Params is JsonObject parameters && parameters["name"] is JsonValue value && value.TryGetValue<string>(out var name)
            ? ((JsonObject)parameters.DeepClone(), name)
            : throw new InvalidParamsException(expectation);

    private static string Reason(JsonRpcMessageWithId answer) =>
        answer is JsonRpcError error ? error.Error.Message : "an answer that is not a result object";

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

    private void Track(Task task)
    {
        _work[task] = 0;
        _ = task.ContinueWith(
            t =>
            {
                _work.TryRemove(t, out _);
                if (t.Exception is { } failure)
                {
                    RelayLog.AggregateRelayFailed(_logger, "the gateway's own work", failure.GetBaseException().Message);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>A client request whose params cannot be read: answered with JSON-RPC "invalid params".</summary>
    private sealed class InvalidParamsException(string message) : Exception(message);
}
