using System.Text.Json.Nodes;
using System.Threading.Channels;
using McpWarden.Gateway.Approvals;
using McpWarden.Gateway.Audit;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Enforcement;
using McpWarden.Gateway.Limits;
using McpWarden.Gateway.Pinning;
using McpWarden.Gateway.Relay;
using McpWarden.Gateway.Storage;
using McpWarden.Gateway.Tests.Enforcement;
using McpWarden.Gateway.Time;
using McpWarden.Policy.Evaluation;
using McpWarden.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Protocol;
using Xunit;

namespace McpWarden.Gateway.Tests.Relay;

/// <summary>
/// The gate inside a relay session: what reaches the server and the client when calls are held, asked of
/// the client's user, refused or observed, and what the audit log learns of the server's answer.
/// </summary>
[Collection(AuditMetricsGroup.Name)]
public sealed class ProxySessionApprovalTests : IAsyncDisposable
{
    private const string PolicyJson = """
        {"version":"1","default":"deny","tools":{
          "ok":  {},
          "no":  {"action":"deny","reason":"never"},
          "run": {"rate_limit":{"max":1,"window":60}},
          "pay": {"action":"approve","approval":{"timeout":60}},
          "ask": {"action":"approve","approval":{"timeout":60,"via":"client"}}
        }}
        """;

    private static readonly string[] AllTools = ["ok", "no", "run", "pay", "ask"];

    private readonly InMemoryServerTransport _server = new();
    private readonly Channel<JsonRpcMessage> _toClient = Channel.CreateUnbounded<JsonRpcMessage>();
    private readonly ManualTimeProvider _clock = new(ManualTimeProvider.TestEpoch);
    private readonly InMemoryAuditSink _audit = new();
    private readonly WatchedApprovalQueue _approvals;
    private ProxySession? _session;

    public ProxySessionApprovalTests() => _approvals = new WatchedApprovalQueue(new InMemoryApprovalQueue(_clock));

    public async ValueTask DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private ProxySession Open(EnforcementMode mode = EnforcementMode.Enforce, IAuditSink? audit = null)
    {
        var definition = new ServerDefinition(
            "srv",
            new StdioUpstreamDefinition("server", [], new Dictionary<string, string>(), "/"),
            Policies.Load(PolicyJson),
            "inline",
            mode,
            TimeSpan.FromSeconds(30));
        var stores = new GatewayStores(new InMemoryCounterStore(_clock), _approvals, audit ?? _audit, new InMemoryPinStore(_clock));
        var gate = new ToolCallGate(stores, AuditSettings.Default, _clock, NullLogger<ToolCallGate>.Instance);
        _session = new ProxySession(definition, "g1", "session-label", _server, message => _toClient.Writer.WriteAsync(message).AsTask(), gate, _clock, NullLogger.Instance);
        _session.Start();
        return _session;
    }

    private static JsonRpcRequest Request(RequestId id, string method, string? parameters = null) =>
        new() { Id = id, Method = method, Params = parameters is null ? null : JsonNode.Parse(parameters) };

    private static JsonRpcRequest CallRequest(long id, string tool, string arguments = "{}") =>
        Request(new RequestId(id), RequestMethods.ToolsCall, $$"""{"name":"{{tool}}","arguments":{{arguments}}}""");

    private static JsonRpcNotification Cancelled(long id) =>
        new() { Method = NotificationMethods.CancelledNotification, Params = new JsonObject { ["requestId"] = id } };

    private async Task<JsonRpcMessage> NextToClientAsync() =>
        await _toClient.Reader.ReadAsync(Token).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Token);

    private Task<JsonRpcMessage> NextToServerAsync() => _server.NextSentAsync(Token);

    private async Task<AuditRecord[]> RecordsAsync() => [.. (await _audit.QueryAsync(new AuditQuery(), Token)).Reverse()];

    /// <summary>The client's handshake, declaring (or not) that its user can be asked.</summary>
    private async Task InitializeAsync(ProxySession session, bool elicitation)
    {
        var capabilities = elicitation ? """{"elicitation":{}}""" : """{"sampling":{}}""";
        await session.FromClientAsync(Request(new RequestId("init"), RequestMethods.Initialize, $$$"""{"protocolVersion":"2025-11-25","capabilities":{{{capabilities}}},"clientInfo":{"name":"t","version":"1"}}"""));
        var sent = (JsonRpcRequest)await NextToServerAsync();
        await _server.DeliverAsync(new JsonRpcResponse { Id = sent.Id, Result = JsonNode.Parse("""{"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"serverInfo":{"name":"s","version":"1"}}""") });
        Assert.IsType<JsonRpcResponse>(await NextToClientAsync());
        await session.FromClientAsync(new JsonRpcNotification { Method = NotificationMethods.InitializedNotification });
        Assert.Equal(NotificationMethods.InitializedNotification, ((JsonRpcNotification)await NextToServerAsync()).Method);
    }

    /// <summary>The first call of a session makes the gateway fetch the tool list: the server answers it.</summary>
    private async Task AnswerToolListAsync()
    {
        var listing = (JsonRpcRequest)await NextToServerAsync();
        Assert.Equal(RequestMethods.ToolsList, listing.Method);
        await _server.DeliverAsync(new JsonRpcResponse { Id = listing.Id, Result = new JsonObject { ["tools"] = new JsonArray([.. AllTools.Select(n => (JsonNode)new JsonObject { ["name"] = n })]) } });
    }

    private async Task<JsonRpcRequest> ForwardedCallAsync(string tool)
    {
        var call = (JsonRpcRequest)await NextToServerAsync();
        Assert.Equal((RequestMethods.ToolsCall, tool), (call.Method, (string?)call.Params!["name"]));
        return call;
    }

    private async Task<Approval> HeldAsync()
    {
        var id = await _approvals.Waiting.Reader.ReadAsync(Token).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Token);
        return (await _approvals.GetAsync(id, Token))!;
    }

    private static string? RefusalCode(JsonRpcMessage answer) =>
        (string?)((JsonRpcResponse)answer).Result!["_meta"]![DenialResponses.MetaKey]!["code"];

    private async Task AssertNothingForwardedAsync(ProxySession session)
    {
        await session.DisposeAsync();
        Assert.DoesNotContain(_server.Sent, m => m is JsonRpcRequest { Method: RequestMethods.ToolsCall });
    }

    [Fact]
    public async Task AllowedCall_IsForwardedAndItsOutcomeAndLatencyAreAudited()
    {
        var session = Open();
        await session.FromClientAsync(CallRequest(1, "ok", """{"b":1,"a":2}"""));
        await AnswerToolListAsync();
        var call = await ForwardedCallAsync("ok");
        Assert.Null((await RecordsAsync())[0].Outcome);

        _clock.Advance(TimeSpan.FromMilliseconds(1500));
        await _server.DeliverAsync(new JsonRpcResponse { Id = call.Id, Result = JsonNode.Parse("""{"content":[]}""") });

        Assert.Equal(new RequestId(1), ((JsonRpcResponse)await NextToClientAsync()).Id);
        var record = Assert.Single(await RecordsAsync());
        Assert.Equal((AuditDecisions.Allow, ReasonCodes.Allowed, "g1", "session-label"), (record.Decision, record.Code, record.Grant, record.Session));
        Assert.Equal((AuditOutcomes.Ok, TimeSpan.FromMilliseconds(1500)), (record.Outcome, record.UpstreamLatency));
    }

    [Theory]
    [InlineData(AuditOutcomes.ToolError)]
    [InlineData(AuditOutcomes.Error)]
    [InlineData(AuditOutcomes.Timeout)]
    [InlineData(AuditOutcomes.Unavailable)]
    [InlineData(AuditOutcomes.Cancelled)]
    public async Task ForwardedCall_HowItEnded_IsAudited(string outcome)
    {
        var session = Open();
        await session.FromClientAsync(CallRequest(1, "ok"));
        await AnswerToolListAsync();
        var call = await ForwardedCallAsync("ok");

        switch (outcome)
        {
            case AuditOutcomes.ToolError:
                await _server.DeliverAsync(new JsonRpcResponse { Id = call.Id, Result = JsonNode.Parse("""{"content":[],"isError":true}""") });
                await NextToClientAsync();
                break;
            case AuditOutcomes.Error:
                await _server.DeliverAsync(new JsonRpcError { Id = call.Id, Error = new JsonRpcErrorDetail { Code = -32603, Message = "boom" } });
                await NextToClientAsync();
                break;
            case AuditOutcomes.Timeout:
                _clock.Advance(TimeSpan.FromSeconds(30));
                await NextToClientAsync();
                break;
            case AuditOutcomes.Unavailable:
                _server.Close();
                await NextToClientAsync();
                break;
            case AuditOutcomes.Cancelled:
                await session.FromClientAsync(Cancelled(1));
                Assert.Equal(NotificationMethods.CancelledNotification, ((JsonRpcNotification)await NextToServerAsync()).Method);
                break;
        }

        var record = Assert.Single(await RecordsAsync());
        Assert.Equal(outcome, record.Outcome);
        Assert.NotNull(record.UpstreamLatency);
    }

    [Fact]
    public async Task ForwardedCall_SessionClosesBeforeTheAnswer_IsAuditedCancelled()
    {
        var session = Open();
        await session.FromClientAsync(CallRequest(1, "ok"));
        await AnswerToolListAsync();
        await ForwardedCallAsync("ok");

        await session.DisposeAsync();

        Assert.Equal(AuditOutcomes.Cancelled, Assert.Single(await RecordsAsync()).Outcome);
    }

    [Fact]
    public async Task DeniedCall_IsRefusedAuditedAndNeverForwarded()
    {
        var session = Open();
        await session.FromClientAsync(CallRequest(1, "no"));
        await AnswerToolListAsync();

        Assert.Equal(ReasonCodes.DeniedByRule, RefusalCode(await NextToClientAsync()));
        var record = Assert.Single(await RecordsAsync());
        Assert.Equal((AuditDecisions.Deny, ReasonCodes.DeniedByRule, "enforce"), (record.Decision, record.Code, record.Mode));
        Assert.Null(record.Outcome);
        await AssertNothingForwardedAsync(session);
    }

    [Fact]
    public async Task HeldCall_ApprovedThroughTheQueue_IsForwardedAndTheReleaseIsAudited()
    {
        var session = Open();
        await session.FromClientAsync(CallRequest(1, "pay", """{"amount":10}"""));
        await AnswerToolListAsync();
        var approval = await HeldAsync();
        Assert.False(_toClient.Reader.TryRead(out _));
        Assert.DoesNotContain(_server.Sent, m => m is JsonRpcRequest { Method: RequestMethods.ToolsCall });

        Assert.Equal(ApprovalDecisionResult.Decided, await _approvals.DecideAsync(approval.Id, true, null, "admin", Token));
        var call = await ForwardedCallAsync("pay");
        Assert.Equal(10, (int)call.Params!["arguments"]!["amount"]!);
        await _server.DeliverAsync(new JsonRpcResponse { Id = call.Id, Result = JsonNode.Parse("""{"content":[]}""") });
        Assert.Equal(new RequestId(1), ((JsonRpcResponse)await NextToClientAsync()).Id);

        var records = await RecordsAsync();
        Assert.Equal([(AuditDecisions.Hold, ReasonCodes.ApprovalRequired, null), (AuditDecisions.Allow, ReasonCodes.Approved, AuditOutcomes.Ok)], records.Select(r => (r.Decision, r.Code, r.Outcome)).ToArray());
    }

    [Fact]
    public async Task HeldCall_TimesOut_TheClientGetsApprovalTimeoutAndNothingIsForwarded()
    {
        var session = Open();
        await session.FromClientAsync(CallRequest(1, "pay"));
        await AnswerToolListAsync();
        var approval = await HeldAsync();

        // The server's own request timeout (30 s) does not cut a wait for a person short.
        _clock.Advance(TimeSpan.FromSeconds(31));
        Assert.False(_toClient.Reader.TryRead(out _));
        _clock.Advance(TimeSpan.FromSeconds(29));

        Assert.Equal(ReasonCodes.ApprovalTimeout, RefusalCode(await NextToClientAsync()));
        Assert.Equal(ApprovalDecisionResult.NotPending, await _approvals.DecideAsync(approval.Id, true, null, "admin", Token));
        await AssertNothingForwardedAsync(session);
    }

    [Fact]
    public async Task HeldCall_CancelledByTheClient_IsAbandonedAuditedAndNeverForwarded()
    {
        var session = Open();
        await session.FromClientAsync(CallRequest(1, "pay"));
        await AnswerToolListAsync();
        var approval = await HeldAsync();

        await session.FromClientAsync(Cancelled(1));
        await session.DisposeAsync();

        Assert.Equal(ApprovalState.Abandoned, (await _approvals.GetAsync(approval.Id, Token))!.State);
        Assert.Equal(ApprovalDecisionResult.NotPending, await _approvals.DecideAsync(approval.Id, true, null, "admin", Token));
        var record = (await RecordsAsync())[^1];
        Assert.Equal((AuditDecisions.Deny, ReasonCodes.ApprovalAbandoned, approval.Id), (record.Decision, record.Code, record.ApprovalId));
        Assert.False(_toClient.Reader.TryRead(out _));
        Assert.DoesNotContain(_server.Sent, m => m is JsonRpcRequest { Method: RequestMethods.ToolsCall });
    }

    [Fact]
    public async Task HeldCall_SessionCloses_IsAbandoned()
    {
        var session = Open();
        await session.FromClientAsync(CallRequest(1, "pay"));
        await AnswerToolListAsync();
        var approval = await HeldAsync();

        await session.DisposeAsync();

        Assert.Equal(ApprovalState.Abandoned, (await _approvals.GetAsync(approval.Id, Token))!.State);
        Assert.Equal(ReasonCodes.ApprovalAbandoned, (await RecordsAsync())[^1].Code);
    }

    [Fact]
    public async Task ViaClient_ClientThatCanBeAsked_GetsAnElicitationAndApprovingForwardsTheCall()
    {
        var session = Open();
        await InitializeAsync(session, elicitation: true);
        await session.FromClientAsync(CallRequest(1, "ask", """{"to":"0700000000","password":"hunter2"}"""));
        await AnswerToolListAsync();

        var question = (JsonRpcRequest)await NextToClientAsync();
        Assert.Equal(RequestMethods.ElicitationCreate, question.Method);
        var message = (string)question.Params!["message"]!;
        Assert.Contains("\"ask\"", message, StringComparison.Ordinal);
        Assert.Contains("0700000000", message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", message, StringComparison.Ordinal);
        Assert.Equal("boolean", (string?)question.Params!["requestedSchema"]!["properties"]!["approve"]!["type"]);

        await session.FromClientAsync(new JsonRpcResponse { Id = question.Id, Result = JsonNode.Parse("""{"action":"accept","content":{"approve":true}}""") });

        await ForwardedCallAsync("ask");
        var records = await RecordsAsync();
        Assert.Equal((AuditDecisions.Allow, ReasonCodes.Approved), (records[^1].Decision, records[^1].Code));
        Assert.Equal("client", (await _approvals.GetAsync(records[^1].ApprovalId!, Token))!.DecidedBy);

        // The answer to the gateway's own question is not passed on to the server.
        Assert.DoesNotContain(_server.Sent, m => m is JsonRpcResponse);
    }

    [Theory]
    [InlineData("""{"action":"decline"}""")]
    [InlineData("""{"action":"accept","content":{"approve":false}}""")]
    public async Task ViaClient_ClientUserRefuses_IsApprovalDenied(string answer)
    {
        var session = Open();
        await InitializeAsync(session, elicitation: true);
        await session.FromClientAsync(CallRequest(1, "ask"));
        await AnswerToolListAsync();
        var question = (JsonRpcRequest)await NextToClientAsync();

        await session.FromClientAsync(new JsonRpcResponse { Id = question.Id, Result = JsonNode.Parse(answer) });

        var refusal = await NextToClientAsync();
        Assert.Equal(new RequestId(1), ((JsonRpcResponse)refusal).Id);
        Assert.Equal(ReasonCodes.ApprovalDenied, RefusalCode(refusal));
        await AssertNothingForwardedAsync(session);
    }

    [Theory]
    [InlineData("""{"action":"cancel"}""")]
    [InlineData("""{"action":"accept","content":[]}""")]
    [InlineData(null)]
    public async Task ViaClient_ClientUserDismisses_TheQueueDecides(string? answer)
    {
        var session = Open();
        await InitializeAsync(session, elicitation: true);
        await session.FromClientAsync(CallRequest(1, "ask"));
        await AnswerToolListAsync();
        var question = (JsonRpcRequest)await NextToClientAsync();
        var approval = await HeldAsync();

        await session.FromClientAsync(answer is null
            ? new JsonRpcError { Id = question.Id, Error = new JsonRpcErrorDetail { Code = -32601, Message = "no" } }
            : new JsonRpcResponse { Id = question.Id, Result = JsonNode.Parse(answer) });
        Assert.Equal(ApprovalState.Pending, (await _approvals.GetAsync(approval.Id, Token))!.State);

        Assert.Equal(ApprovalDecisionResult.Decided, await _approvals.DecideAsync(approval.Id, true, null, "admin", Token));
        await ForwardedCallAsync("ask");
    }

    [Fact]
    public async Task ViaClient_QueueDecidesFirst_TheQuestionIsWithdrawnFromTheClient()
    {
        var session = Open();
        await InitializeAsync(session, elicitation: true);
        await session.FromClientAsync(CallRequest(1, "ask"));
        await AnswerToolListAsync();
        var question = (JsonRpcRequest)await NextToClientAsync();
        var approval = await HeldAsync();

        await _approvals.DecideAsync(approval.Id, true, null, "admin", Token);

        var withdrawn = (JsonRpcNotification)await NextToClientAsync();
        Assert.Equal(NotificationMethods.CancelledNotification, withdrawn.Method);
        Assert.Equal(question.Id.ToString(), withdrawn.Params!["requestId"]!.ToString());
        await ForwardedCallAsync("ask");

        // A late answer from the client changes nothing and goes nowhere.
        await session.FromClientAsync(new JsonRpcResponse { Id = question.Id, Result = JsonNode.Parse("""{"action":"decline"}""") });
        await session.DisposeAsync();
        Assert.DoesNotContain(_server.Sent, m => m is JsonRpcResponse);
        Assert.Equal(ApprovalState.Used, (await _approvals.GetAsync(approval.Id, Token))!.State);
    }

    [Fact]
    public async Task ViaClient_ClientThatDidNotDeclareElicitation_IsNotAskedAndTheQueueDecides()
    {
        var session = Open();
        await InitializeAsync(session, elicitation: false);
        await session.FromClientAsync(CallRequest(1, "ask"));
        await AnswerToolListAsync();
        var approval = await HeldAsync();

        Assert.False(_toClient.Reader.TryRead(out _));
        await _approvals.DecideAsync(approval.Id, true, null, "admin", Token);
        await ForwardedCallAsync("ask");
        Assert.False(_toClient.Reader.TryRead(out _));
    }

    [Fact]
    public async Task ViaQueue_ClientThatCanBeAsked_IsNotAsked()
    {
        var session = Open();
        await InitializeAsync(session, elicitation: true);
        await session.FromClientAsync(CallRequest(1, "pay"));
        await AnswerToolListAsync();
        var approval = await HeldAsync();

        Assert.False(_toClient.Reader.TryRead(out _));
        await _approvals.DecideAsync(approval.Id, true, null, "admin", Token);
        await ForwardedCallAsync("pay");
    }

    [Fact]
    public async Task AuditSinkFails_TheCallIsRefusedNotForwardedAndCounted()
    {
        using var failures = new AuditFailureCounter();
        var session = Open(audit: new FailingAuditSink());
        await session.FromClientAsync(CallRequest(1, "ok"));
        await AnswerToolListAsync();

        Assert.Equal(ReasonCodes.AuditFailed, RefusalCode(await NextToClientAsync()));
        Assert.Equal(1, failures.Count);
        await AssertNothingForwardedAsync(session);
    }

    [Fact]
    public async Task ObserveMode_DeniedAndRateLimitedCalls_AreForwardedAndAuditedAsDenials()
    {
        var session = Open(EnforcementMode.Observe);
        await session.FromClientAsync(CallRequest(1, "no"));
        await AnswerToolListAsync();
        await ForwardedCallAsync("no");
        await session.FromClientAsync(CallRequest(2, "run"));
        await ForwardedCallAsync("run");
        await session.FromClientAsync(CallRequest(3, "run"));
        await ForwardedCallAsync("run");

        var records = await RecordsAsync();
        Assert.Equal(
            [(AuditDecisions.Deny, ReasonCodes.DeniedByRule), (AuditDecisions.Allow, ReasonCodes.Allowed), (AuditDecisions.Deny, ReasonCodes.RateLimited)],
            records.Select(r => (r.Decision, r.Code)).ToArray());
        Assert.All(records, r => Assert.Equal("observe", r.Mode));
        Assert.False(_toClient.Reader.TryRead(out _));
    }

    [Fact]
    public async Task ObserveMode_HeldCall_IsForwardedWithoutWaiting()
    {
        var session = Open(EnforcementMode.Observe);
        await session.FromClientAsync(CallRequest(1, "pay"));
        await AnswerToolListAsync();

        await ForwardedCallAsync("pay");
        Assert.Empty(await _approvals.ListAsync(ApprovalState.Pending, Token));
        Assert.Equal((AuditDecisions.Hold, "observe"), (Assert.Single(await RecordsAsync()).Decision, (await RecordsAsync())[0].Mode));
    }

    [Theory]
    [InlineData(EnforcementMode.Observe, new[] { "ok", "no", "run", "pay", "ask" })]
    [InlineData(EnforcementMode.Enforce, new[] { "ok", "run", "pay", "ask" })]
    public async Task ToolsList_ObserveModeHidesNothing(EnforcementMode mode, string[] seen)
    {
        var session = Open(mode);
        await session.FromClientAsync(Request(new RequestId(1), RequestMethods.ToolsList));
        var listing = (JsonRpcRequest)await NextToServerAsync();
        await _server.DeliverAsync(new JsonRpcResponse { Id = listing.Id, Result = new JsonObject { ["tools"] = new JsonArray([.. AllTools.Select(n => (JsonNode)new JsonObject { ["name"] = n })]) } });

        var tools = ((JsonRpcResponse)await NextToClientAsync()).Result!["tools"]!.AsArray();
        Assert.Equal(seen, tools.Select(t => (string)t!["name"]!).ToArray());
    }
}
