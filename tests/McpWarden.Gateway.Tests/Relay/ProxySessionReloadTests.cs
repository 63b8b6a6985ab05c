using System.Text.Json.Nodes;
using System.Threading.Channels;
using McpWarden.Gateway.Audit;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Enforcement;
using McpWarden.Gateway.Relay;
using McpWarden.Gateway.Storage;
using McpWarden.Gateway.Time;
using McpWarden.Policy.Json;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Protocol;
using Xunit;

namespace McpWarden.Gateway.Tests.Relay;

/// <summary>A session whose server's policy is swapped by a reload while it is open: the next call follows the new one.</summary>
public sealed class ProxySessionReloadTests : IAsyncDisposable
{
    private readonly InMemoryServerTransport _server = new();
    private readonly Channel<JsonRpcMessage> _toClient = Channel.CreateUnbounded<JsonRpcMessage>();
    private readonly ManualTimeProvider _clock = new(ManualTimeProvider.TestEpoch);
    private readonly GatewayStores _stores;
    private readonly LiveConfiguration _live;
    private readonly ProxySession _session;
    private long _nextId;
    private bool _listed;

    public ProxySessionReloadTests()
    {
        _stores = GatewayStores.InMemory(_clock);
        _live = new LiveConfiguration(Load("""{"version":"1","default":"deny","tools":{"ok":{"rate_limit":{"max":3,"window":60}},"other":{}}}"""), _clock);
        var gate = new ToolCallGate(_stores, AuditSettings.Default, _clock, NullLogger<ToolCallGate>.Instance);
        _session = new ProxySession(_live.Server("srv")!, "g", "s", _server, message => _toClient.Writer.WriteAsync(message).AsTask(), gate, _clock, NullLogger.Instance, current: () => _live.Server("srv")!);
        _session.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await _session.DisposeAsync();
        await _stores.DisposeAsync();
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static ConfigurationLoadResult Load(string policy)
    {
        using var document = SourceDocument.Parse("mcpwarden.json", """{ "mcpServers": { "srv": { "command": "server", "policy": """ + policy + " } } }");
        var loaded = ConfigurationLoader.Load(document, "/config/mcpwarden.json", _ => null);
        Assert.True(loaded.Succeeded, string.Join('\n', loaded.Diagnostics));
        return loaded;
    }

    private async Task<JsonRpcMessage> NextToClientAsync() =>
        await _toClient.Reader.ReadAsync(Token).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Token);

    /// <summary>Calls a tool, playing the server: its tool list on the first call (the session keeps it), then the call if it is forwarded.</summary>
    private async Task CallAsync(string tool, bool forwarded)
    {
        var id = new RequestId(++_nextId);
        var callsBefore = ToolCallsSent();
        await _session.FromClientAsync(new JsonRpcRequest { Id = id, Method = RequestMethods.ToolsCall, Params = JsonNode.Parse("{\"name\":\"" + tool + "\",\"arguments\":{}}") });
        if (!_listed)
        {
            var listing = (JsonRpcRequest)await _server.NextSentAsync(Token);
            Assert.Equal(RequestMethods.ToolsList, listing.Method);
            await _server.DeliverAsync(new JsonRpcResponse { Id = listing.Id, Result = JsonNode.Parse("""{"tools":[{"name":"ok","inputSchema":{"type":"object"}},{"name":"other","inputSchema":{"type":"object"}}]}""") });
            _listed = true;
        }

        if (forwarded)
        {
            var call = (JsonRpcRequest)await _server.NextSentAsync(Token);
            Assert.Equal((RequestMethods.ToolsCall, tool), (call.Method, (string?)call.Params!["name"]));
            await _server.DeliverAsync(new JsonRpcResponse { Id = call.Id, Result = JsonNode.Parse("""{"content":[]}""") });
            var answer = (JsonRpcResponse)await NextToClientAsync();
            Assert.Equal(id, answer.Id);
            Assert.Null(answer.Result!["isError"]);
        }
        else
        {
            // Refused at the gateway: a tool result marked as an error, and nothing more reached the server.
            var answer = (JsonRpcResponse)await NextToClientAsync();
            Assert.Equal(id, answer.Id);
            Assert.True((bool)answer.Result!["isError"]!);
            Assert.Equal(callsBefore, ToolCallsSent());
        }
    }

    private int ToolCallsSent() => _server.Sent.Count(m => m is JsonRpcRequest { Method: RequestMethods.ToolsCall });

    [Fact]
    public async Task ToolsCall_AfterThePolicyIsSwapped_IsDecidedByTheNewPolicy()
    {
        await CallAsync("other", forwarded: true);

        _live.Apply(Load("""{"version":"1","default":"deny","tools":{"ok":{}}}"""));

        await CallAsync("other", forwarded: false);
        await CallAsync("ok", forwarded: true);
    }

    [Fact]
    public async Task ToolsCall_AfterASwapThatKeepsTheLimit_SpendsWhatIsLeftOfTheBudget()
    {
        await CallAsync("ok", forwarded: true);
        await CallAsync("ok", forwarded: true);

        // Another tool denied, the limit on "ok" unchanged: its counter is the same counter.
        _live.Apply(Load("""{"version":"1","default":"deny","tools":{"ok":{"rate_limit":{"max":3,"window":60}},"other":{"action":"deny"}}}"""));

        await CallAsync("ok", forwarded: true);
        await CallAsync("ok", forwarded: false);
        await CallAsync("other", forwarded: false);
    }

    [Fact]
    public async Task ToolsList_AfterThePolicyIsSwapped_IsFilteredByTheNewPolicy()
    {
        _live.Apply(Load("""{"version":"1","default":"deny","tools":{"ok":{}}}"""));

        await _session.FromClientAsync(new JsonRpcRequest { Id = new RequestId("list"), Method = RequestMethods.ToolsList });
        var listing = (JsonRpcRequest)await _server.NextSentAsync(Token);
        await _server.DeliverAsync(new JsonRpcResponse { Id = listing.Id, Result = JsonNode.Parse("""{"tools":[{"name":"ok","inputSchema":{"type":"object"}},{"name":"other","inputSchema":{"type":"object"}}]}""") });

        var answer = (JsonRpcResponse)await NextToClientAsync();
        Assert.Equal(["ok"], answer.Result!["tools"]!.AsArray().Select(t => (string?)t!["name"]));
    }
}
