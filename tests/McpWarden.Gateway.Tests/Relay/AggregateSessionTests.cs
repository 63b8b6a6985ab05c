using System.Text.Json.Nodes;
using System.Threading.Channels;
using McpWarden.Gateway.Relay;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Protocol;
using Xunit;

namespace McpWarden.Gateway.Tests.Relay;

/// <summary>The aggregated session's naming, routing, merging and id bookkeeping, with every inner session played by the test.</summary>
public sealed class AggregateSessionTests : IAsyncDisposable
{
    private const string ClientInitialize = """{"protocolVersion":"2025-11-25","capabilities":{"sampling":{},"roots":{"listChanged":true}},"clientInfo":{"name":"t","version":"1"}}""";

    private readonly Channel<JsonRpcMessage> _toClient = Channel.CreateUnbounded<JsonRpcMessage>();
    private readonly Dictionary<string, FakeInnerSession> _servers = [];
    private AggregateSession? _session;

    public async ValueTask DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private FakeInnerSession A => _servers["a"];

    private FakeInnerSession B => _servers["b"];

    private async Task<AggregateSession> OpenAsync(params string[] names)
    {
        _session = await AggregateSession.OpenAsync(
            names,
            (name, toAggregate, _) =>
            {
                var fake = new FakeInnerSession(name, toAggregate);
                lock (_servers)
                {
                    _servers[name] = fake;
                }

                return Task.FromResult<IRelaySession>(fake);
            },
            message => _toClient.Writer.WriteAsync(message).AsTask(),
            NullLogger.Instance,
            Token);
        _session.Start();
        return _session;
    }

    private Task SendAsync(JsonRpcMessage message) => _session!.FromClientAsync(message);

    private static JsonRpcRequest Request(RequestId id, string method, string? parameters = null) =>
        new() { Id = id, Method = method, Params = parameters is null ? null : JsonNode.Parse(parameters) };

    private static JsonRpcNotification Notification(string method, string? parameters = null) =>
        new() { Method = method, Params = parameters is null ? null : JsonNode.Parse(parameters) };

    private async Task<JsonRpcMessage> NextToClientAsync() =>
        await _toClient.Reader.ReadAsync(Token).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Token);

    private async Task<JsonObject> ResultToClientAsync(RequestId id)
    {
        var response = Assert.IsType<JsonRpcResponse>(await NextToClientAsync());
        Assert.Equal(id, response.Id);
        return Assert.IsType<JsonObject>(response.Result);
    }

    private async Task<JsonRpcErrorDetail> ErrorToClientAsync(RequestId id)
    {
        var error = Assert.IsType<JsonRpcError>(await NextToClientAsync());
        Assert.Equal(id, error.Id);
        return error.Error;
    }

    /// <summary>Nothing more reaches the client: a ping, answered by the aggregate itself, is the next thing it sees.</summary>
    private async Task AssertNothingMoreToClientAsync()
    {
        await SendAsync(Request(new RequestId("probe"), RequestMethods.Ping));
        Assert.Equal(new RequestId("probe"), Assert.IsType<JsonRpcResponse>(await NextToClientAsync()).Id);
    }

    private static string Initialized(string capabilities, string version = "2025-11-25", string? instructions = null) =>
        $$"""{"protocolVersion":"{{version}}","capabilities":{{capabilities}},"serverInfo":{"name":"s","version":"1"}{{(instructions is null ? "" : $",\"instructions\":\"{instructions}\"")}}}""";

    private async Task<JsonObject> InitializeAsync(string a, string b)
    {
        await SendAsync(Request(new RequestId("init"), RequestMethods.Initialize, ClientInitialize));
        await A.AnswerNextAsync(RequestMethods.Initialize, a);
        await B.AnswerNextAsync(RequestMethods.Initialize, b);
        return await ResultToClientAsync(new RequestId("init"));
    }

    private static string[] Names(JsonObject result, string key, string identity = "name") =>
        result[key]!.AsArray().Select(item => (string)item![identity]!).ToArray();

    [Fact]
    public async Task Initialize_ForwardsTheClientsParamsToEveryServer_AndMergesWhatTheyDeclare()
    {
        await OpenAsync("a", "b");
        await SendAsync(Request(new RequestId("init"), RequestMethods.Initialize, ClientInitialize));
        var toA = await A.AnswerNextAsync(RequestMethods.Initialize, Initialized("""{"tools":{},"resources":{"subscribe":true},"logging":{},"experimental":{"x":{}}}""", instructions: "Use a."));
        var toB = await B.AnswerNextAsync(RequestMethods.Initialize, Initialized("""{"tools":{"listChanged":true},"prompts":{},"completions":{}}""", version: "2025-06-18"));
        var result = await ResultToClientAsync(new RequestId("init"));

        // The client's capabilities reach every server unchanged, under the aggregate's own ids.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(ClientInitialize), toA.Params));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(ClientInitialize), toB.Params));
        Assert.NotEqual(toA.Id, toB.Id);
        Assert.NotEqual(new RequestId("init"), toA.Id);

        Assert.Equal("2025-06-18", (string)result["protocolVersion"]!);
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse("""{"tools":{"listChanged":true},"prompts":{},"resources":{"subscribe":true},"logging":{},"completions":{}}"""), result["capabilities"]),
            result["capabilities"]!.ToJsonString());
        Assert.Equal("mcpwarden", (string)result["serverInfo"]!["name"]!);
        Assert.Equal("## a\n\nUse a.", (string)result["instructions"]!);

        await SendAsync(Notification(NotificationMethods.InitializedNotification));
        Assert.Equal(NotificationMethods.InitializedNotification, Assert.IsType<JsonRpcNotification>(await A.NextAsync()).Method);
        Assert.Equal(NotificationMethods.InitializedNotification, Assert.IsType<JsonRpcNotification>(await B.NextAsync()).Method);
    }

    [Fact]
    public async Task Initialize_AServerThatFails_IsLeftOut_AndTheRestAreServed()
    {
        await OpenAsync("a", "b");
        await SendAsync(Request(new RequestId(1), RequestMethods.Initialize, ClientInitialize));
        await A.AnswerNextAsync(RequestMethods.Initialize, Initialized("""{"tools":{}}"""));
        var toB = await B.NextRequestAsync(RequestMethods.Initialize);
        await B.SendAsync(new JsonRpcError { Id = toB.Id, Error = new JsonRpcErrorDetail { Code = -32603, Message = "b is broken" } });
        Assert.Null((await ResultToClientAsync(new RequestId(1)))["instructions"]);

        await SendAsync(Notification(NotificationMethods.InitializedNotification));
        await SendAsync(Request(new RequestId(2), RequestMethods.ToolsList));
        Assert.IsType<JsonRpcNotification>(await A.NextAsync());
        await A.AnswerNextAsync(RequestMethods.ToolsList, """{"tools":[{"name":"echo"}]}""");
        Assert.Equal(["a__echo"], Names(await ResultToClientAsync(new RequestId(2)), "tools"));

        await SendAsync(Request(new RequestId(3), RequestMethods.ToolsCall, """{"name":"b__echo","arguments":{}}"""));
        var refused = await ErrorToClientAsync(new RequestId(3));
        Assert.Equal(-32602, refused.Code);
        Assert.Contains("not part of this session", refused.Message, StringComparison.Ordinal);

        // Nothing after the failed initialize reached b, and what b says is no longer relayed.
        await B.SendAsync(Notification(NotificationMethods.ToolListChangedNotification));
        await AssertNothingMoreToClientAsync();
        Assert.Single(B.Received);
    }

    [Fact]
    public async Task Initialize_NoServerInitializes_IsAnErrorNamingEach()
    {
        await OpenAsync("a", "b");
        await SendAsync(Request(new RequestId(1), RequestMethods.Initialize, ClientInitialize));
        foreach (var server in new[] { A, B })
        {
            var request = await server.NextRequestAsync(RequestMethods.Initialize);
            await server.SendAsync(new JsonRpcError { Id = request.Id, Error = new JsonRpcErrorDetail { Code = -32603, Message = server.Name + " is broken" } });
        }

        var error = await ErrorToClientAsync(new RequestId(1));
        Assert.Contains("a: a is broken", error.Message, StringComparison.Ordinal);
        Assert.Contains("b: b is broken", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolsList_EveryPageOfEveryServer_PrefixedInConfiguredOrder_OnOnePage()
    {
        await OpenAsync("a", "b");
        await SendAsync(Request(new RequestId(1), RequestMethods.ToolsList));
        var first = await A.AnswerNextAsync(RequestMethods.ToolsList, """{"tools":[{"name":"one","inputSchema":{"type":"object","$defs":{"x":{}}}}],"nextCursor":"p2"}""");
        Assert.Null(first.Params);
        var second = await A.AnswerNextAsync(RequestMethods.ToolsList, """{"tools":[{"name":"two"}]}""");
        Assert.Equal("p2", (string)second.Params!["cursor"]!);
        await B.AnswerNextAsync(RequestMethods.ToolsList, """{"tools":[{"name":"x__y"}]}""");

        var result = await ResultToClientAsync(new RequestId(1));
        Assert.Equal(["a__one", "a__two", "b__x__y"], Names(result, "tools"));
        Assert.Null(result["nextCursor"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"object","$defs":{"x":{}}}"""), result["tools"]![0]!["inputSchema"]));

        // The aggregate gives no cursors, so a cursor from the client is one it never gave.
        await SendAsync(Request(new RequestId(2), RequestMethods.ToolsList, """{"cursor":"p2"}"""));
        Assert.Equal(-32602, (await ErrorToClientAsync(new RequestId(2))).Code);
    }

    [Fact]
    public async Task ToolsCall_SplitsAtTheFirstSeparator_AndTheServerGetsTheBareName()
    {
        await OpenAsync("a", "b");
        await SendAsync(Request(new RequestId("call"), RequestMethods.ToolsCall, """{"name":"b__x__y","arguments":{"n":1},"_meta":{"progressToken":"p"}}"""));
        var routed = await B.NextRequestAsync(RequestMethods.ToolsCall);
        Assert.Equal("x__y", (string)routed.Params!["name"]!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"n":1}"""), routed.Params["arguments"]));
        Assert.Equal("p", (string)routed.Params["_meta"]!["progressToken"]!);
        Assert.NotEqual(new RequestId("call"), routed.Id);

        await B.SendAsync(new JsonRpcResponse { Id = routed.Id, Result = JsonNode.Parse("""{"content":[{"type":"text","text":"done"}]}""") });
        Assert.Equal("done", (string)(await ResultToClientAsync(new RequestId("call")))["content"]![0]!["text"]!);
        Assert.Empty(A.Received);
    }

    [Theory]
    [InlineData("nope__echo")]
    [InlineData("echo")]
    [InlineData("__echo")]
    [InlineData("a_echo")]
    public async Task ToolsCall_WithoutAServerOfTheSession_IsUnknownTool_AndReachesNoServer(string name)
    {
        await OpenAsync("a", "b");
        await SendAsync(Request(new RequestId(1), RequestMethods.ToolsCall, "{\"name\":\"" + name + "\",\"arguments\":{}}"));
        var error = await ErrorToClientAsync(new RequestId(1));
        Assert.Equal(-32602, error.Code);
        var data = Assert.IsType<JsonObject>(error.Data);
        Assert.Equal(("deny", "unknown_tool"), ((string)data["decision"]!, (string)data["code"]!));
        Assert.Empty(A.Received);
        Assert.Empty(B.Received);
    }

    [Fact]
    public async Task ToolsCall_WithoutAName_IsInvalidParams()
    {
        await OpenAsync("a", "b");
        await SendAsync(Request(new RequestId(1), RequestMethods.ToolsCall, """{"arguments":{}}"""));
        Assert.Equal(-32602, (await ErrorToClientAsync(new RequestId(1))).Code);
        Assert.Empty(A.Received);
    }

    [Fact]
    public async Task Prompts_ListedWithPrefixes_AndFetchedFromTheirServerByBareName()
    {
        await OpenAsync("a", "b");
        await SendAsync(Request(new RequestId(1), RequestMethods.PromptsList));
        await A.AnswerNextAsync(RequestMethods.PromptsList, """{"prompts":[{"name":"greet","arguments":[{"name":"who"}]}]}""");
        await B.AnswerNextAsync(RequestMethods.PromptsList, """{"prompts":[{"name":"greet"}]}""");
        Assert.Equal(["a__greet", "b__greet"], Names(await ResultToClientAsync(new RequestId(1)), "prompts"));

        await SendAsync(Request(new RequestId(2), RequestMethods.PromptsGet, """{"name":"b__greet","arguments":{"who":"x"}}"""));
        var routed = await B.AnswerNextAsync(RequestMethods.PromptsGet, """{"messages":[]}""");
        Assert.Equal("greet", (string)routed.Params!["name"]!);
        Assert.Equal("x", (string)routed.Params["arguments"]!["who"]!);
        await ResultToClientAsync(new RequestId(2));

        await SendAsync(Request(new RequestId(3), RequestMethods.PromptsGet, """{"name":"greet"}"""));
        Assert.Contains("\"greet\"", (await ErrorToClientAsync(new RequestId(3))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resources_ListedUnchanged_ReadFromTheirOwner_AndTheFirstConfiguredServerWinsAUriListedTwice()
    {
        await OpenAsync("a", "b");
        await SendAsync(Request(new RequestId(1), RequestMethods.ResourcesList));
        await A.AnswerNextAsync(RequestMethods.ResourcesList, """{"resources":[{"uri":"file:///shared","name":"from a"},{"uri":"a://one","name":"one"}]}""");
        await B.AnswerNextAsync(RequestMethods.ResourcesList, """{"resources":[{"uri":"file:///shared","name":"from b"},{"uri":"b://two","name":"two"}]}""");
        var listed = await ResultToClientAsync(new RequestId(1));
        Assert.Equal(["file:///shared", "a://one", "b://two"], Names(listed, "resources", "uri"));
        Assert.Equal("from a", (string)listed["resources"]![0]!["name"]!);

        await SendAsync(Request(new RequestId(2), RequestMethods.ResourcesRead, """{"uri":"b://two"}"""));
        Assert.Equal("b://two", (string)(await B.AnswerNextAsync(RequestMethods.ResourcesRead, """{"contents":[]}""")).Params!["uri"]!);
        await ResultToClientAsync(new RequestId(2));

        await SendAsync(Request(new RequestId(3), RequestMethods.ResourcesSubscribe, """{"uri":"file:///shared"}"""));
        await A.AnswerNextAsync(RequestMethods.ResourcesSubscribe, "{}");
        await ResultToClientAsync(new RequestId(3));
        Assert.DoesNotContain(B.Received, m => m is JsonRpcRequest { Method: RequestMethods.ResourcesSubscribe });
    }

    [Fact]
    public async Task Resources_AUriNeverListed_IsLookedUpInFreshListsAndTemplates_OrRefusedNamingIt()
    {
        await OpenAsync("a", "b");
        var lists = new Dictionary<string, string>
        {
            [RequestMethods.ResourcesList] = """{"resources":[]}""",
            [RequestMethods.ResourcesTemplatesList] = """{"resourceTemplates":[]}""",
        };
        var templatesOfB = new Dictionary<string, string>(lists)
        {
            [RequestMethods.ResourcesTemplatesList] = """{"resourceTemplates":[{"uriTemplate":"b://items/{id}","name":"item"}]}""",
        };

        await SendAsync(Request(new RequestId(1), RequestMethods.ResourcesRead, """{"uri":"b://items/42"}"""));
        await A.AnswerByMethodAsync(2, lists);
        await B.AnswerByMethodAsync(2, templatesOfB);
        Assert.Equal("b://items/42", (string)(await B.AnswerNextAsync(RequestMethods.ResourcesRead, """{"contents":[]}""")).Params!["uri"]!);
        await ResultToClientAsync(new RequestId(1));

        await SendAsync(Request(new RequestId(2), RequestMethods.ResourcesRead, """{"uri":"c://nowhere"}"""));
        await A.AnswerByMethodAsync(2, lists);
        await B.AnswerByMethodAsync(2, templatesOfB);
        var refused = await ErrorToClientAsync(new RequestId(2));
        Assert.Equal(-32602, refused.Code);
        Assert.Contains("\"c://nowhere\"", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(A.Received.Concat(B.Received), m => m is JsonRpcRequest { Method: RequestMethods.ResourcesRead, Params: var p } && (string)p!["uri"]! == "c://nowhere");
    }

    [Fact]
    public async Task Completion_APromptRefGoesToItsServerByBareName_AResourceRefToTheTemplatesOwner()
    {
        await OpenAsync("a", "b");
        await SendAsync(Request(new RequestId(1), RequestMethods.ResourcesTemplatesList));
        await A.AnswerNextAsync(RequestMethods.ResourcesTemplatesList, """{"resourceTemplates":[{"uriTemplate":"a://docs/{path}","name":"docs"}]}""");
        await B.AnswerNextAsync(RequestMethods.ResourcesTemplatesList, """{"resourceTemplates":[]}""");
        Assert.Equal(["a://docs/{path}"], Names(await ResultToClientAsync(new RequestId(1)), "resourceTemplates", "uriTemplate"));

        await SendAsync(Request(new RequestId(2), RequestMethods.CompletionComplete, """{"ref":{"type":"ref/prompt","name":"b__greet"},"argument":{"name":"who","value":"x"}}"""));
        var prompt = await B.AnswerNextAsync(RequestMethods.CompletionComplete, """{"completion":{"values":["xavier"]}}""");
        Assert.Equal("greet", (string)prompt.Params!["ref"]!["name"]!);
        await ResultToClientAsync(new RequestId(2));

        await SendAsync(Request(new RequestId(3), RequestMethods.CompletionComplete, """{"ref":{"type":"ref/resource","uri":"a://docs/{path}"},"argument":{"name":"path","value":"r"}}"""));
        var resource = await A.AnswerNextAsync(RequestMethods.CompletionComplete, """{"completion":{"values":[]}}""");
        Assert.Equal("a://docs/{path}", (string)resource.Params!["ref"]!["uri"]!);
        await ResultToClientAsync(new RequestId(3));
    }

    [Fact]
    public async Task SetLevel_GoesToEveryServerWithLogging_AndSucceedsWhenAnyAccepts()
    {
        await OpenAsync("a", "b", "c");
        await SendAsync(Request(new RequestId(1), RequestMethods.Initialize, ClientInitialize));
        await A.AnswerNextAsync(RequestMethods.Initialize, Initialized("""{"logging":{}}"""));
        await B.AnswerNextAsync(RequestMethods.Initialize, Initialized("""{"logging":{}}"""));
        await _servers["c"].AnswerNextAsync(RequestMethods.Initialize, Initialized("""{"tools":{}}"""));
        await ResultToClientAsync(new RequestId(1));

        await SendAsync(Request(new RequestId(2), "logging/setLevel", """{"level":"debug"}"""));
        Assert.Equal("debug", (string)(await A.AnswerNextAsync("logging/setLevel", "{}")).Params!["level"]!);
        var toB = await B.NextRequestAsync("logging/setLevel");
        Assert.False(_toClient.Reader.TryPeek(out _), "the client is answered only once every server has answered");
        await B.SendAsync(new JsonRpcError { Id = toB.Id, Error = new JsonRpcErrorDetail { Code = -32601, Message = "no logging here" } });
        await ResultToClientAsync(new RequestId(2));
        Assert.Single(_servers["c"].Received);

        await SendAsync(Request(new RequestId(3), "logging/setLevel", """{"level":"info"}"""));
        foreach (var server in new[] { A, B })
        {
            var request = await server.NextRequestAsync("logging/setLevel");
            await server.SendAsync(new JsonRpcError { Id = request.Id, Error = new JsonRpcErrorDetail { Code = -32603, Message = "refused by " + server.Name } });
        }

        var error = await ErrorToClientAsync(new RequestId(3));
        Assert.Contains("refused by a", error.Message, StringComparison.Ordinal);
        Assert.Contains("refused by b", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Notifications_FanIn_AndLogMessagesNameTheirServerWhenTheyNameNoLogger()
    {
        await OpenAsync("a", "b");
        await A.SendAsync(Notification(NotificationMethods.ToolListChangedNotification));
        Assert.Equal(NotificationMethods.ToolListChangedNotification, Assert.IsType<JsonRpcNotification>(await NextToClientAsync()).Method);
        await B.SendAsync(Notification(NotificationMethods.PromptListChangedNotification));
        Assert.Equal(NotificationMethods.PromptListChangedNotification, Assert.IsType<JsonRpcNotification>(await NextToClientAsync()).Method);
        await B.SendAsync(Notification(NotificationMethods.ResourceUpdatedNotification, """{"uri":"b://two"}"""));
        Assert.Equal("b://two", (string)Assert.IsType<JsonRpcNotification>(await NextToClientAsync()).Params!["uri"]!);

        await B.SendAsync(Notification("notifications/message", """{"level":"info","data":{"k":1}}"""));
        var unnamed = Assert.IsType<JsonRpcNotification>(await NextToClientAsync());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"level":"info","data":{"k":1},"logger":"b"}"""), unnamed.Params));
        await A.SendAsync(Notification("notifications/message", """{"level":"info","logger":"own","data":"x"}"""));
        Assert.Equal("own", (string)Assert.IsType<JsonRpcNotification>(await NextToClientAsync()).Params!["logger"]!);

        await A.SendAsync(Notification(NotificationMethods.ProgressNotification, """{"progressToken":"client-token","progress":1}"""));
        Assert.Equal("client-token", (string)Assert.IsType<JsonRpcNotification>(await NextToClientAsync()).Params!["progressToken"]!);
        await A.SendAsync(Notification("notifications/custom/thing", """{"x":1}"""));
        Assert.Equal("notifications/custom/thing", Assert.IsType<JsonRpcNotification>(await NextToClientAsync()).Method);
    }

    [Fact]
    public async Task ServerRequests_ReachTheClientUnderFreshIds_AndEachAnswerGoesBackToTheServerThatAsked()
    {
        await OpenAsync("a", "b");
        await A.SendAsync(Request(new RequestId(0), "sampling/createMessage", """{"messages":[],"maxTokens":1,"_meta":{"progressToken":7}}"""));
        await B.SendAsync(Request(new RequestId(0), "roots/list"));
        var first = Assert.IsType<JsonRpcRequest>(await NextToClientAsync());
        var second = Assert.IsType<JsonRpcRequest>(await NextToClientAsync());
        Assert.NotEqual(first.Id, second.Id);
        var (sampling, roots) = first.Method == "sampling/createMessage" ? (first, second) : (second, first);

        // The client reports progress on the sampling request: only the server that asked hears of it.
        await SendAsync(Notification(NotificationMethods.ProgressNotification, """{"progressToken":7,"progress":0.5}"""));
        Assert.Equal(NotificationMethods.ProgressNotification, Assert.IsType<JsonRpcNotification>(await A.NextAsync()).Method);

        await SendAsync(new JsonRpcResponse { Id = roots.Id, Result = JsonNode.Parse("""{"roots":[]}""") });
        var toB = Assert.IsType<JsonRpcResponse>(await B.NextAsync());
        Assert.Equal(new RequestId(0), toB.Id);
        Assert.NotNull(toB.Result!["roots"]);

        await SendAsync(new JsonRpcResponse { Id = sampling.Id, Result = JsonNode.Parse("""{"role":"assistant","content":{"type":"text","text":"hi"},"model":"m"}""") });
        var toA = Assert.IsType<JsonRpcResponse>(await A.NextAsync());
        Assert.Equal(new RequestId(0), toA.Id);
        Assert.Equal("m", (string)toA.Result!["model"]!);

        // An answer the client gives twice is not passed on twice.
        await SendAsync(new JsonRpcResponse { Id = sampling.Id, Result = new JsonObject() });
        await AssertNothingMoreToClientAsync();
        Assert.Equal(2, A.Received.Count);
        Assert.Single(B.Received);
    }

    [Fact]
    public async Task ServerCancelsItsRequest_TheClientHearsItUnderTheAggregatesId()
    {
        await OpenAsync("a", "b");
        await B.SendAsync(Request(new RequestId("e"), RequestMethods.ElicitationCreate, """{"message":"?","requestedSchema":{"type":"object"}}"""));
        var elicitation = Assert.IsType<JsonRpcRequest>(await NextToClientAsync());

        // a cancelling a request of its own with the same id cancels nothing of b's.
        await A.SendAsync(Notification(NotificationMethods.CancelledNotification, """{"requestId":"e"}"""));
        await B.SendAsync(Notification(NotificationMethods.CancelledNotification, """{"requestId":"e","reason":"gone"}"""));
        var cancelled = Assert.IsType<JsonRpcNotification>(await NextToClientAsync());
        Assert.Equal(NotificationMethods.CancelledNotification, cancelled.Method);
        Assert.Equal(RelayMessages.ReadRequestId(cancelled.Params), elicitation.Id);
        Assert.Equal("gone", (string)cancelled.Params!["reason"]!);

        // The client's late answer is not passed on.
        await SendAsync(new JsonRpcResponse { Id = elicitation.Id, Result = JsonNode.Parse("""{"action":"decline"}""") });
        await AssertNothingMoreToClientAsync();
        Assert.Empty(B.Received);
    }

    [Fact]
    public async Task ClientCancelsARoutedCall_TheServerHearsItUnderItsId_AndNoAnswerFollows()
    {
        await OpenAsync("a", "b");
        await SendAsync(Request(new RequestId(9), RequestMethods.ToolsCall, """{"name":"a__slow","arguments":{}}"""));
        var routed = await A.NextRequestAsync(RequestMethods.ToolsCall);

        await SendAsync(Notification(NotificationMethods.CancelledNotification, """{"requestId":9,"reason":"user"}"""));
        var cancelled = Assert.IsType<JsonRpcNotification>(await A.NextAsync());
        Assert.Equal(routed.Id, RelayMessages.ReadRequestId(cancelled.Params));
        Assert.Equal("user", (string)cancelled.Params!["reason"]!);

        await A.SendAsync(new JsonRpcResponse { Id = routed.Id, Result = new JsonObject() });
        await AssertNothingMoreToClientAsync();
        Assert.Empty(B.Received);
    }

    [Fact]
    public async Task ClientCancelsAFannedOutList_EveryServerAskedIsCancelled()
    {
        await OpenAsync("a", "b");
        await SendAsync(Request(new RequestId("list"), RequestMethods.ToolsList));
        var toA = await A.NextRequestAsync(RequestMethods.ToolsList);
        var toB = await B.NextRequestAsync(RequestMethods.ToolsList);

        await SendAsync(Notification(NotificationMethods.CancelledNotification, """{"requestId":"list"}"""));
        Assert.Equal(toA.Id, RelayMessages.ReadRequestId(Assert.IsType<JsonRpcNotification>(await A.NextAsync()).Params));
        Assert.Equal(toB.Id, RelayMessages.ReadRequestId(Assert.IsType<JsonRpcNotification>(await B.NextAsync()).Params));
        await AssertNothingMoreToClientAsync();
    }

    [Fact]
    public async Task StringAndNumberIds_AreDifferentCalls()
    {
        await OpenAsync("a", "b");
        await SendAsync(Request(new RequestId("1"), RequestMethods.ToolsCall, """{"name":"a__t"}"""));
        await SendAsync(Request(new RequestId(1), RequestMethods.ToolsCall, """{"name":"b__t"}"""));
        var toA = await A.NextRequestAsync(RequestMethods.ToolsCall);
        var toB = await B.NextRequestAsync(RequestMethods.ToolsCall);

        await SendAsync(Notification(NotificationMethods.CancelledNotification, """{"requestId":"1"}"""));
        Assert.IsType<JsonRpcNotification>(await A.NextAsync());
        await B.SendAsync(new JsonRpcResponse { Id = toB.Id, Result = JsonNode.Parse("""{"from":"b"}""") });
        Assert.Equal("b", (string)(await ResultToClientAsync(new RequestId(1)))["from"]!);
        await A.SendAsync(new JsonRpcResponse { Id = toA.Id, Result = new JsonObject() });
        await AssertNothingMoreToClientAsync();
    }

    [Fact]
    public async Task Ping_IsAnsweredByTheGateway_AndAMethodWithoutAnOwnerIsRefusedByName()
    {
        await OpenAsync("a", "b");
        await SendAsync(Request(new RequestId(1), RequestMethods.Ping));
        await ResultToClientAsync(new RequestId(1));
        await SendAsync(Request(new RequestId(2), "tasks/list"));
        var refused = await ErrorToClientAsync(new RequestId(2));
        Assert.Equal(-32601, refused.Code);
        Assert.Contains("\"tasks/list\"", refused.Message, StringComparison.Ordinal);
        await SendAsync(Request(new RequestId(3), RequestMethods.ServerDiscover));
        Assert.Equal(-32000, (await ErrorToClientAsync(new RequestId(3))).Code);

        // A request without an id reaches no server.
        await SendAsync(Notification(RequestMethods.ToolsCall, """{"name":"a__t"}"""));
        await AssertNothingMoreToClientAsync();
        Assert.Empty(A.Received);
        Assert.Empty(B.Received);
    }

    [Fact]
    public async Task Open_AServerThatCannotStart_IsLeftOut_AndWithNoneItThrows()
    {
        var opened = new List<FakeInnerSession>();
        Task<IRelaySession> Open(string name, Func<JsonRpcMessage, Task> toAggregate, CancellationToken cancellation)
        {
            if (name.StartsWith("broken", StringComparison.Ordinal))
            {
                throw new InvalidOperationException(name + " has no command");
            }

            var fake = new FakeInnerSession(name, toAggregate);
            opened.Add(fake);
            return Task.FromResult<IRelaySession>(fake);
        }

        await using (var session = await AggregateSession.OpenAsync(["broken", "ok"], Open, _ => Task.CompletedTask, NullLogger.Instance, Token))
        {
            session.Start();
            Assert.True(Assert.Single(opened).Started);
        }

        Assert.True(opened[0].Disposed);
        var none = await Assert.ThrowsAsync<InvalidOperationException>(() => AggregateSession.OpenAsync(["broken1", "broken2"], Open, _ => Task.CompletedTask, NullLogger.Instance, Token));
        Assert.Contains("broken2 has no command", none.Message, StringComparison.Ordinal);
    }
}
