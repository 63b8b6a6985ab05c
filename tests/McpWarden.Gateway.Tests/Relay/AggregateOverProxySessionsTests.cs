using System.Text.Json.Nodes;
using System.Threading.Channels;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Enforcement;
using McpWarden.Gateway.Audit;
using McpWarden.Gateway.Storage;
using McpWarden.Gateway.Relay;
using McpWarden.Gateway.Time;
using McpWarden.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Protocol;
using Xunit;

namespace McpWarden.Gateway.Tests.Relay;

/// <summary>
/// The aggregated session over real relay sessions, each server played by the test: each server's policy is
/// still enforced by its own session, and a server that dies affects only what is routed to it.
/// </summary>
public sealed class AggregateOverProxySessionsTests : IAsyncDisposable
{
    private readonly Dictionary<string, InMemoryServerTransport> _servers = new() { ["alive"] = new(), ["dead"] = new() };
    private readonly Channel<JsonRpcMessage> _toClient = Channel.CreateUnbounded<JsonRpcMessage>();
    private readonly ManualTimeProvider _clock = new(ManualTimeProvider.TestEpoch);
    private AggregateSession? _session;

    public async ValueTask DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task OpenAsync()
    {
        var gate = new ToolCallGate(GatewayStores.InMemory(_clock), AuditSettings.Default, _clock, NullLogger<ToolCallGate>.Instance);
        var policy = Policies.Load("""{"version":"1","default":"deny","tools":{"ok":{}}}""");
        _session = await AggregateSession.OpenAsync(
            ["alive", "dead"],
            (name, toAggregate, _) => Task.FromResult<IRelaySession>(new ProxySession(
                new ServerDefinition(name, new StdioUpstreamDefinition("server", [], new Dictionary<string, string>(), "/"), policy, "inline", EnforcementMode.Enforce, TimeSpan.FromSeconds(30)),
                "g",
                "s",
                _servers[name],
                toAggregate,
                gate,
                _clock,
                NullLogger.Instance)),
            message => _toClient.Writer.WriteAsync(message).AsTask(),
            NullLogger.Instance,
            Token);
        _session.Start();
    }

    private async Task<JsonRpcMessage> NextToClientAsync() =>
        await _toClient.Reader.ReadAsync(Token).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Token);

    private static JsonRpcRequest Call(RequestId id, string name) =>
        new() { Id = id, Method = RequestMethods.ToolsCall, Params = new JsonObject { ["name"] = name, ["arguments"] = new JsonObject() } };

    private static JsonRpcResponse ToolList(RequestId id, params string[] names) =>
        new() { Id = id, Result = new JsonObject { ["tools"] = new JsonArray(names.Select(n => (JsonNode)new JsonObject { ["name"] = n }).ToArray()) } };

    [Fact]
    public async Task EachServersPolicy_StillDecides_AndADeadServerFailsOnlyWhatIsRoutedToIt()
    {
        await OpenAsync();
        _servers["dead"].Close();

        // The list shows what alive's policy allows, prefixed; dead's failure leaves only its tools out.
        await _session!.FromClientAsync(new JsonRpcRequest { Id = new RequestId(1), Method = RequestMethods.ToolsList });
        var listing = (JsonRpcRequest)await _servers["alive"].NextSentAsync(Token);
        await _servers["alive"].DeliverAsync(ToolList(listing.Id, "ok", "secret"));
        var listed = Assert.IsType<JsonRpcResponse>(await NextToClientAsync());
        Assert.Equal(["alive__ok"], listed.Result!["tools"]!.AsArray().Select(t => (string)t!["name"]!).ToArray());

        await _session.FromClientAsync(Call(new RequestId(2), "dead__ok"));
        var failed = Assert.IsType<JsonRpcError>(await NextToClientAsync());
        Assert.Equal(new RequestId(2), failed.Id);
        Assert.Contains("dead", failed.Error.Message, StringComparison.Ordinal);

        // alive decides its calls as before: the allowed one reaches it under its bare name, the other never does.
        await _session.FromClientAsync(Call(new RequestId(3), "alive__ok"));
        var catalog = (JsonRpcRequest)await _servers["alive"].NextSentAsync(Token);
        Assert.Equal(RequestMethods.ToolsList, catalog.Method);
        await _servers["alive"].DeliverAsync(ToolList(catalog.Id, "ok", "secret"));
        var forwarded = (JsonRpcRequest)await _servers["alive"].NextSentAsync(Token);
        Assert.Equal((RequestMethods.ToolsCall, "ok"), (forwarded.Method, (string)forwarded.Params!["name"]!));
        await _servers["alive"].DeliverAsync(new JsonRpcResponse { Id = forwarded.Id, Result = JsonNode.Parse("""{"content":[]}""") });
        Assert.Equal(new RequestId(3), Assert.IsType<JsonRpcResponse>(await NextToClientAsync()).Id);

        await _session.FromClientAsync(Call(new RequestId(4), "alive__secret"));
        var denied = Assert.IsType<JsonRpcResponse>(await NextToClientAsync());
        Assert.Equal(new RequestId(4), denied.Id);
        Assert.Equal("default_deny", (string)denied.Result!["_meta"]!["mcpwarden/policy"]!["code"]!);
        Assert.DoesNotContain(_servers["alive"].Sent, m => m is JsonRpcRequest { Method: RequestMethods.ToolsCall, Params: var p } && (string)p!["name"]! == "secret");
    }

    [Fact]
    public async Task AServerTimingOut_AnswersTheClientUnderItsId_AndTheServerIsCancelled()
    {
        await OpenAsync();
        await _session!.FromClientAsync(new JsonRpcRequest { Id = new RequestId("r"), Method = RequestMethods.ResourcesRead, Params = JsonNode.Parse("""{"uri":"x://1"}""") });

        // Unlisted: the aggregate asks both servers for their lists first; dead has closed, alive lists it.
        _servers["dead"].Close();
        for (var i = 0; i < 2; i++)
        {
            var list = (JsonRpcRequest)await _servers["alive"].NextSentAsync(Token);
            await _servers["alive"].DeliverAsync(new JsonRpcResponse
            {
                Id = list.Id,
                Result = list.Method == RequestMethods.ResourcesList ? JsonNode.Parse("""{"resources":[{"uri":"x://1","name":"one"}]}""") : JsonNode.Parse("""{"resourceTemplates":[]}"""),
            });
        }

        var read = (JsonRpcRequest)await _servers["alive"].NextSentAsync(Token);
        Assert.Equal(RequestMethods.ResourcesRead, read.Method);
        _clock.Advance(TimeSpan.FromSeconds(30));
        var timedOut = Assert.IsType<JsonRpcError>(await NextToClientAsync());
        Assert.Equal((new RequestId("r"), -32001), (timedOut.Id, timedOut.Error.Code));
        var cancelled = (JsonRpcNotification)await _servers["alive"].NextSentAsync(Token);
        Assert.Equal(read.Id, RelayMessages.ReadRequestId(cancelled.Params));
    }
}
