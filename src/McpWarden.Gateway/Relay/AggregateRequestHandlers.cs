using System.Text.Json.Nodes;
using McpWarden.Gateway.Enforcement;
using McpWarden.Policy.Evaluation;
using McpWarden.Policy.Json;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Relay;

/// <summary>
/// What the aggregated session does with each method a client may call: which servers are asked, under which
/// name, and how their answers become one. Asking goes through the session, which owns the ids and the
/// cancellations; these handlers only decide whom to ask and what to answer.
/// </summary>
internal sealed class AggregateRequestHandlers
{
    /// <summary>However many pages a server offers, the aggregate reads at most this many of one list.</summary>
    private const int MaxPagesPerServer = 1000;

    /// <summary>Logging is gone from the stateless 2026-07-28 revision (the SDK marks its names obsolete), not from those served here.</summary>
    private const string LoggingSetLevel = "logging/setLevel";

    private readonly IReadOnlyList<AggregateMember> _members;
    private readonly Func<AggregateMember, string, JsonNode?, AggregateCall, Task<JsonRpcMessageWithId>> _ask;
    private readonly ILogger _logger;

    /// <param name="members">Every server of the session, in configured order.</param>
    /// <param name="ask">Asks one server a request on behalf of a call and returns its answer (it throws only when the call is cancelled).</param>
    public AggregateRequestHandlers(IReadOnlyList<AggregateMember> members, Func<AggregateMember, string, JsonNode?, AggregateCall, Task<JsonRpcMessageWithId>> ask, ILogger logger)
    {
        _members = members;
        _ask = ask;
        _logger = logger;
    }

    /// <summary>The servers served: opened, and not left out after failing to initialize.</summary>
    private IEnumerable<AggregateMember> Serving => _members.Where(m => m.Serves);

    /// <summary>The answer to one client request, under the client's id; <see cref="InvalidParamsException"/> when its params cannot be read.</summary>
    public Task<JsonRpcMessage> HandleAsync(JsonRpcRequest request, AggregateCall call) => request.Method switch
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
        var answers = await Task.WhenAll(members.Select(m => _ask(m, request.Method, request.Params?.DeepClone(), call))).ConfigureAwait(false);
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
            var answer = await _ask(member, list.Method, cursor is null ? null : new JsonObject { ["cursor"] = cursor }, call).ConfigureAwait(false);
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
            RelayLog.Decided(_logger, "aggregated session", new Untrusted(name), new LoggedDecision(decision));
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

        var answers = await Task.WhenAll(members.Select(m => _ask(m, request.Method, request.Params?.DeepClone(), call))).ConfigureAwait(false);
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
        RelayMessages.WithId(await _ask(member, method, parameters, call).ConfigureAwait(false), call.ClientId);


    private static (JsonObject Parameters, string Name) ReadName(JsonRpcRequest request, string expectation) =>
        request.Params is JsonObject parameters && parameters["name"] is JsonValue value && value.TryGetValue<string>(out var name)
            ? ((JsonObject)parameters.DeepClone(), name)
            : throw new InvalidParamsException(expectation);

    private static string Reason(JsonRpcMessageWithId answer) =>
        answer is JsonRpcError error ? error.Error.Message : "an answer that is not a result object";

}
