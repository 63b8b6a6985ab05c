using System.Text.Json.Nodes;
using System.Threading.Channels;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Enforcement;
using McpWarden.Gateway.Audit;
using McpWarden.Gateway.Storage;
using McpWarden.Gateway.Relay;
using McpWarden.Gateway.Pinning;
using McpWarden.Gateway.Time;
using McpWarden.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Protocol;
using Xunit;

namespace McpWarden.Gateway.Tests.Relay;

/// <summary>The relay's id bookkeeping and timing, with the server played by the test and time on a fake clock.</summary>
public sealed class ProxySessionTests : IAsyncDisposable
{
    private readonly InMemoryServerTransport _server = new();
    private readonly Channel<JsonRpcMessage> _toClient = Channel.CreateUnbounded<JsonRpcMessage>();
    private readonly ManualTimeProvider _clock = new(ManualTimeProvider.TestEpoch);
    private readonly ProxySession _session;
    private readonly ServerDefinition _definition;

    public ProxySessionTests()
    {
        var definition = _definition = new ServerDefinition(
            "srv",
            new StdioUpstreamDefinition("server", [], new Dictionary<string, string>(), "/"),
            Policies.Load("""{"version":"1","default":"deny","tools":{"ok":{},"new_tool":{}}}"""),
            "inline",
            EnforcementMode.Enforce,
            TimeSpan.FromSeconds(30));
        _session = new ProxySession(definition, "g", "s", _server, message => _toClient.Writer.WriteAsync(message).AsTask(), new ToolCallGate(GatewayStores.InMemory(_clock), AuditSettings.Default, _clock, NullLogger<ToolCallGate>.Instance), _clock, NullLogger.Instance);
        _session.Start();
    }

    public async ValueTask DisposeAsync() => await _session.DisposeAsync();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static JsonRpcRequest Request(RequestId id, string method, string? parameters = null) =>
        new() { Id = id, Method = method, Params = parameters is null ? null : JsonNode.Parse(parameters) };

    private static JsonRpcNotification Cancelled(RequestId id) =>
        new() { Method = NotificationMethods.CancelledNotification, Params = new JsonObject { ["requestId"] = id.Id is long n ? JsonValue.Create(n) : JsonValue.Create((string)id.Id!) } };

    private static JsonRpcResponse ToolList(RequestId id, params string[] names) =>
        new() { Id = id, Result = new JsonObject { ["tools"] = new JsonArray(names.Select(n => (JsonNode)new JsonObject { ["name"] = n }).ToArray()) } };

    private async Task<JsonRpcMessage> NextToClientAsync() =>
        await _toClient.Reader.ReadAsync(Token).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Token);

    [Fact]
    public async Task CancelledWhileBeingDecided_NothingIsForwardedAndNothingAnswered()
    {
        await _session.FromClientAsync(Request(new RequestId(1), RequestMethods.ToolsCall, """{"name":"ok","arguments":{}}"""));
        var listing = (JsonRpcRequest)await _server.NextSentAsync(Token);
        Assert.Equal(RequestMethods.ToolsList, listing.Method);

        await _session.FromClientAsync(Cancelled(new RequestId(1)));
        await _server.DeliverAsync(ToolList(listing.Id, "ok"));
        await _session.DisposeAsync();

        Assert.DoesNotContain(_server.Sent, m => m is JsonRpcRequest { Method: RequestMethods.ToolsCall });
        Assert.False(_toClient.Reader.TryRead(out _));
    }

    [Fact]
    public async Task CancelledWhileBeingDecided_ItsIdIsFreeAtOnce_ForTheNextRequest()
    {
        // A decision held up by something that does not stop at once (here the pin store): the client's cancel
        // must free the id now, because over HTTP its stream has already ended and it may reuse the id.
        var server = new InMemoryServerTransport();
        var pins = new HeldPinStore(new InMemoryPinStore(_clock));
        var vetting = new ToolVetting(pins, new InMemoryAuditSink(), _clock, NullLogger<ToolVetting>.Instance);
        await using var session = new ProxySession(_definition, "g", "s", server, message => _toClient.Writer.WriteAsync(message).AsTask(), new ToolCallGate(GatewayStores.InMemory(_clock), AuditSettings.Default, _clock, NullLogger<ToolCallGate>.Instance), _clock, NullLogger.Instance, vetting: vetting);
        session.Start();
        await session.FromClientAsync(Request(new RequestId(1), RequestMethods.ToolsCall, """{"name":"ok","arguments":{}}"""));
        var listing = (JsonRpcRequest)await server.NextSentAsync(Token);
        await server.DeliverAsync(ToolList(listing.Id, "ok"));
        await pins.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);

        await session.FromClientAsync(Cancelled(new RequestId(1)));
        await session.FromClientAsync(Request(new RequestId(1), RequestMethods.Ping));
        var ping = (JsonRpcRequest)await server.NextSentAsync(Token).WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.Equal(RequestMethods.Ping, ping.Method);
        await server.DeliverAsync(new JsonRpcResponse { Id = ping.Id, Result = new JsonObject() });
        Assert.Equal(new RequestId(1), Assert.IsType<JsonRpcResponse>(await NextToClientAsync()).Id);

        pins.Release.SetResult();
        await session.DisposeAsync();
        Assert.DoesNotContain(server.Sent, m => m is JsonRpcRequest { Method: RequestMethods.ToolsCall });
        Assert.False(_toClient.Reader.TryRead(out _));
    }

    /// <summary>A pin store whose checks wait, whatever their token says, until the test releases them.</summary>
    private sealed class HeldPinStore(IPinStore inner) : IPinStore
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<IReadOnlyList<PinCheck>> CheckAsync(string server, IReadOnlyList<McpWarden.Catalog.Pinning.PinnedDefinition> listed, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            await Release.Task;
            return await inner.CheckAsync(server, listed, CancellationToken.None);
        }

        public Task<IReadOnlyList<PinRecord>> ListAsync(string? server, CancellationToken cancellationToken) => inner.ListAsync(server, cancellationToken);

        public Task<PinAcceptance> AcceptAsync(string server, string tool, string? fingerprint, CancellationToken cancellationToken) => inner.AcceptAsync(server, tool, fingerprint, cancellationToken);
    }

    [Fact]
    public async Task ServerCancelsItsOwnRequest_TheClientHearsItUnderTheIdItKnows()
    {
        await _server.DeliverAsync(Request(new RequestId(0), "sampling/createMessage", "{}"));
        var forwarded = (JsonRpcRequest)await NextToClientAsync();
        Assert.NotEqual(new RequestId(0), forwarded.Id);

        await _server.DeliverAsync(Cancelled(new RequestId(0)));
        var cancelled = (JsonRpcNotification)await NextToClientAsync();
        Assert.Equal(NotificationMethods.CancelledNotification, cancelled.Method);
        Assert.Equal(((long)forwarded.Id.Id!).ToString(System.Globalization.CultureInfo.InvariantCulture), cancelled.Params!["requestId"]!.ToJsonString());

        // A late answer to the cancelled request is not passed on to the server.
        await _session.FromClientAsync(new JsonRpcResponse { Id = forwarded.Id, Result = new JsonObject() });
        await _session.DisposeAsync();
        Assert.DoesNotContain(_server.Sent, m => m is JsonRpcResponse);
    }

    [Fact]
    public async Task StringAndNumberIds_AreDifferentRequests()
    {
        await _session.FromClientAsync(Request(new RequestId("1"), RequestMethods.ResourcesList));
        await _session.FromClientAsync(Request(new RequestId(1), RequestMethods.PromptsList));
        var sent = new[] { (JsonRpcRequest)await _server.NextSentAsync(Token), (JsonRpcRequest)await _server.NextSentAsync(Token) };
        Assert.NotEqual(sent[0].Id, sent[1].Id);

        // Answered in the other order: each answer still reaches the request that asked.
        foreach (var request in sent.Reverse())
        {
            await _server.DeliverAsync(new JsonRpcResponse { Id = request.Id, Result = new JsonObject { ["method"] = request.Method } });
        }

        var answers = new[] { (JsonRpcResponse)await NextToClientAsync(), (JsonRpcResponse)await NextToClientAsync() };
        Assert.Contains(answers, a => a.Id == new RequestId("1") && (string)a.Result!["method"]! == RequestMethods.ResourcesList);
        Assert.Contains(answers, a => a.Id == new RequestId(1) && (string)a.Result!["method"]! == RequestMethods.PromptsList);
    }

    [Fact]
    public async Task ToolsChangeDuringTheFetch_TheListIsFetchedAgainBeforeDeciding()
    {
        await _session.FromClientAsync(Request(new RequestId(1), RequestMethods.ToolsCall, """{"name":"new_tool","arguments":{}}"""));
        var first = (JsonRpcRequest)await _server.NextSentAsync(Token);

        // The server changes its tools before answering the fetch that was already under way.
        await _server.DeliverAsync(new JsonRpcNotification { Method = NotificationMethods.ToolListChangedNotification });
        await _server.DeliverAsync(ToolList(first.Id, "ok"));
        var second = (JsonRpcRequest)await _server.NextSentAsync(Token);
        Assert.Equal(RequestMethods.ToolsList, second.Method);
        await _server.DeliverAsync(ToolList(second.Id, "ok", "new_tool"));

        var call = (JsonRpcRequest)await _server.NextSentAsync(Token);
        Assert.Equal((RequestMethods.ToolsCall, "new_tool"), (call.Method, (string)call.Params!["name"]!));
        Assert.Equal(NotificationMethods.ToolListChangedNotification, ((JsonRpcNotification)await NextToClientAsync()).Method);
    }

    [Fact]
    public async Task ServerSilentPastTheTimeout_ClientGetsAnErrorAndTheServerIsCancelled()
    {
        await _session.FromClientAsync(Request(new RequestId(7), RequestMethods.Ping));
        var ping = (JsonRpcRequest)await _server.NextSentAsync(Token);

        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(_toClient.Reader.TryRead(out _));
        _clock.Advance(TimeSpan.FromSeconds(1));

        var error = (JsonRpcError)await NextToClientAsync();
        Assert.Equal((new RequestId(7), -32001), (error.Id, error.Error.Code));
        var cancelled = (JsonRpcNotification)await _server.NextSentAsync(Token);
        Assert.Equal(NotificationMethods.CancelledNotification, cancelled.Method);
        Assert.Equal(ping.Id.ToString(), cancelled.Params!["requestId"]!.ToString());
    }

    [Fact]
    public async Task ServerGoesAway_RequestsInFlightAreAnsweredAtOnce()
    {
        await _session.FromClientAsync(Request(new RequestId(1), RequestMethods.Ping));
        await _server.NextSentAsync(Token);
        _server.Close();

        var error = (JsonRpcError)await NextToClientAsync();
        Assert.Equal(new RequestId(1), error.Id);
        Assert.Contains("closed its connection", error.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SameIdTwiceInFlight_TheSecondIsDroppedAndTheFirstAnsweredOnce()
    {
        await _session.FromClientAsync(Request(new RequestId(5), RequestMethods.Ping));
        var ping = await _server.NextSentAsync(Token);
        await _session.FromClientAsync(Request(new RequestId(5), RequestMethods.Ping));
        await _server.DeliverAsync(new JsonRpcResponse { Id = ((JsonRpcRequest)ping).Id, Result = new JsonObject() });

        Assert.Equal(new RequestId(5), ((JsonRpcResponse)await NextToClientAsync()).Id);
        await _session.DisposeAsync();
        Assert.False(_toClient.Reader.TryRead(out _));
        Assert.Single(_server.Sent);
    }

    [Fact]
    public async Task NotificationNamedLikeARequest_IsNeverForwarded()
    {
        await _session.FromClientAsync(new JsonRpcNotification { Method = RequestMethods.ToolsCall, Params = JsonNode.Parse("""{"name":"ok"}""") });
        await _session.FromClientAsync(new JsonRpcNotification { Method = "notifications/roots/list_changed" });
        var forwarded = await _server.NextSentAsync(Token);
        Assert.Equal("notifications/roots/list_changed", ((JsonRpcNotification)forwarded).Method);
        Assert.Single(_server.Sent);
    }

    [Theory]
    [InlineData("2026-07-28", "2025-11-25")]
    [InlineData("2099-01-01", "2025-11-25")]
    [InlineData("2025-06-18", "2025-06-18")]
    [InlineData("2025-03-26", "2025-03-26")]
    public async Task Initialize_AsksTheServerOnlyForARevisionTheGatewayServes(string asked, string forwarded)
    {
        await _session.FromClientAsync(Request(new RequestId(1), RequestMethods.Initialize, "{\"protocolVersion\":\"" + asked + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}"));
        var sent = (JsonRpcRequest)await _server.NextSentAsync(Token);
        Assert.Equal(forwarded, (string)sent.Params!["protocolVersion"]!);
        Assert.Equal("t", (string)sent.Params!["clientInfo"]!["name"]!);
    }

    [Theory]
    [InlineData("2026-07-28", false)]
    [InlineData("2025-11-25", true)]
    [InlineData("2024-11-05", true)]
    public async Task Initialize_ServerChoosingARevisionTheGatewayCannotRelay_IsRefused(string chosen, bool relayed)
    {
        await _session.FromClientAsync(Request(new RequestId(1), RequestMethods.Initialize, """{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}"""));
        var sent = (JsonRpcRequest)await _server.NextSentAsync(Token);
        await _server.DeliverAsync(new JsonRpcResponse { Id = sent.Id, Result = new JsonObject { ["protocolVersion"] = chosen, ["capabilities"] = new JsonObject(), ["serverInfo"] = new JsonObject { ["name"] = "s", ["version"] = "1" } } });

        var answer = await NextToClientAsync();
        Assert.Equal(relayed, answer is JsonRpcResponse);
    }

    [Fact]
    public async Task ServerDiscover_IsAnsweredWithALegacyErrorAndNeverForwarded()
    {
        await _session.FromClientAsync(Request(new RequestId(1), RequestMethods.ServerDiscover, "{}"));
        var error = (JsonRpcError)await NextToClientAsync();
        Assert.Equal(-32000, error.Error.Code);
        await _session.DisposeAsync();
        Assert.Empty(_server.Sent);
    }

    [Fact]
    public async Task ProgressFromTheServer_PushesTheDeadlineBack_UpToTenTimeouts()
    {
        await _session.FromClientAsync(Request(new RequestId(1), RequestMethods.ToolsCall, """{"name":"ok","arguments":{},"_meta":{"progressToken":"p1"}}"""));
        var listing = (JsonRpcRequest)await _server.NextSentAsync(Token);
        await _server.DeliverAsync(ToolList(listing.Id, "ok"));
        var call = (JsonRpcRequest)await _server.NextSentAsync(Token);

        // Progress every 20 s keeps a 30 s timeout from firing...
        for (var elapsed = 20; elapsed <= 280; elapsed += 20)
        {
            _clock.Advance(TimeSpan.FromSeconds(20));
            await _server.DeliverAsync(new JsonRpcNotification { Method = NotificationMethods.ProgressNotification, Params = JsonNode.Parse("""{"progressToken":"p1","progress":1}""") });
            Assert.IsType<JsonRpcNotification>(await NextToClientAsync());
        }

        Assert.False(_toClient.Reader.TryRead(out _));

        // ...but not past ten timeouts (300 s) after the request was forwarded.
        _clock.Advance(TimeSpan.FromSeconds(20));
        var error = (JsonRpcError)await NextToClientAsync();
        Assert.Equal((new RequestId(1), -32001), (error.Id, error.Error.Code));
        Assert.Equal(RequestMethods.ToolsCall, call.Method);
    }

    [Fact]
    public async Task ProgressForAnotherToken_DoesNotPushTheDeadlineBack()
    {
        await _session.FromClientAsync(Request(new RequestId(1), RequestMethods.Ping, """{"_meta":{"progressToken":7}}"""));
        await _server.NextSentAsync(Token);
        _clock.Advance(TimeSpan.FromSeconds(20));
        await _server.DeliverAsync(new JsonRpcNotification { Method = NotificationMethods.ProgressNotification, Params = JsonNode.Parse("""{"progressToken":"7","progress":1}""") });
        await NextToClientAsync();
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(-32001, ((JsonRpcError)await NextToClientAsync()).Error.Code);
    }

    [Fact]
    public async Task AnswerArrivingAfterTheTimeout_IsNotASecondAnswer()
    {
        await _session.FromClientAsync(Request(new RequestId(1), RequestMethods.Ping));
        var ping = (JsonRpcRequest)await _server.NextSentAsync(Token);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.IsType<JsonRpcError>(await NextToClientAsync());

        await _server.DeliverAsync(new JsonRpcResponse { Id = ping.Id, Result = new JsonObject() });
        await _session.DisposeAsync();
        Assert.False(_toClient.Reader.TryRead(out _));
    }

    [Fact]
    public async Task ServerAnswerThatCannotBeRead_StillGetsTheClientAnAnswer()
    {
        await _session.FromClientAsync(Request(new RequestId(1), RequestMethods.ToolsList));
        var list = (JsonRpcRequest)await _server.NextSentAsync(Token);
        // Duplicate keys: System.Text.Json's JsonObject refuses to read them.
        await _server.DeliverAsync(new JsonRpcResponse { Id = list.Id, Result = JsonNode.Parse("""{"tools":[],"tools":[{"name":"secret"}]}""") });

        var error = (JsonRpcError)await NextToClientAsync();
        Assert.Equal(new RequestId(1), error.Id);
    }

    [Fact]
    public async Task DecisionThatCannotFinishInTime_IsRefusedAndTheServerIsToldToStop()
    {
        await _session.FromClientAsync(Request(new RequestId(1), RequestMethods.ToolsCall, """{"name":"ok","arguments":{}}"""));
        var listing = (JsonRpcRequest)await _server.NextSentAsync(Token);

        // The server never answers the gateway's tools/list.
        _clock.Advance(TimeSpan.FromSeconds(30));
        var error = (JsonRpcError)await NextToClientAsync();
        Assert.Equal(new RequestId(1), error.Id);

        var cancelled = (JsonRpcNotification)await _server.NextSentAsync(Token);
        Assert.Equal(NotificationMethods.CancelledNotification, cancelled.Method);
        Assert.Equal(listing.Id.ToString(), cancelled.Params!["requestId"]!.ToString());
        await _session.DisposeAsync();
        Assert.DoesNotContain(_server.Sent, m => m is JsonRpcRequest { Method: RequestMethods.ToolsCall });
    }
}
