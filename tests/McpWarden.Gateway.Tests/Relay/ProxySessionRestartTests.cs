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
/// A session whose server dies: what was in flight is answered at once, requests meanwhile are refused at once,
/// and the server comes back after a backoff with the client's handshake replayed, or is given up on.
/// The servers are played by the test (each connection a new one) and time runs on a fake clock.
/// </summary>
public sealed class ProxySessionRestartTests : IAsyncDisposable
{
    private const string Initialize = """{"protocolVersion":"2025-11-25","capabilities":{"roots":{}},"clientInfo":{"name":"replayed","version":"1"}}""";

    private readonly InMemoryServerTransport _first = new();
    private readonly Channel<InMemoryServerTransport> _connected = Channel.CreateUnbounded<InMemoryServerTransport>();
    private readonly Channel<JsonRpcMessage> _toClient = Channel.CreateUnbounded<JsonRpcMessage>();
    private readonly ManualTimeProvider _manual = new(ManualTimeProvider.TestEpoch);
    private readonly TimerWatchingClock _clock;
    private readonly ProxySession _session;
    private int _connections;

    public ProxySessionRestartTests()
    {
        _clock = new TimerWatchingClock(_manual);
        var definition = new ServerDefinition(
            "srv",
            new StdioUpstreamDefinition("server", [], new Dictionary<string, string>(), "/"),
            Policies.Load("""{"version":"1","default":"deny","tools":{"ok":{}}}"""),
            "inline",
            EnforcementMode.Enforce,
            TimeSpan.FromSeconds(30));
        _session = new ProxySession(
            definition,
            "g",
            "s",
            _first,
            message => _toClient.Writer.WriteAsync(message).AsTask(),
            new ToolCallGate(GatewayStores.InMemory(_manual), AuditSettings.Default, _manual, NullLogger<ToolCallGate>.Instance),
            _clock,
            NullLogger.Instance,
            reconnect: ConnectAsync);
        _session.Start();
    }

    /// <summary>When set, connecting fails as a server that cannot be started does.</summary>
    private bool Unstartable { get; set; }

    public async ValueTask DisposeAsync() => await _session.DisposeAsync();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static JsonRpcRequest Request(RequestId id, string method, string? parameters = null) =>
        new() { Id = id, Method = method, Params = parameters is null ? null : JsonNode.Parse(parameters) };

    private static JsonRpcResponse Initialized(RequestId id) =>
        new() { Id = id, Result = JsonNode.Parse("""{"protocolVersion":"2025-11-25","capabilities":{"tools":{"listChanged":true},"resources":{}},"serverInfo":{"name":"s","version":"1"}}""") };

    private Task<ITransport> ConnectAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _connections);
        if (Unstartable)
        {
            throw new InvalidOperationException("no such command");
        }

        var server = new InMemoryServerTransport();
        _connected.Writer.TryWrite(server);
        return Task.FromResult<ITransport>(server);
    }

    private async Task<JsonRpcMessage> NextToClientAsync() =>
        await _toClient.Reader.ReadAsync(Token).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Token);

    private async Task<string> ErrorForAsync(RequestId id)
    {
        await _session.FromClientAsync(Request(id, RequestMethods.Ping));
        var error = (JsonRpcError)await NextToClientAsync();
        Assert.Equal(id, error.Id);
        return error.Error.Message;
    }

    private async Task InitializeThroughAsync(InMemoryServerTransport server)
    {
        await _session.FromClientAsync(Request(new RequestId(1), RequestMethods.Initialize, Initialize));
        var initialize = (JsonRpcRequest)await server.NextSentAsync(Token);
        await server.DeliverAsync(Initialized(initialize.Id));
        Assert.IsType<JsonRpcResponse>(await NextToClientAsync());
        await _session.FromClientAsync(new JsonRpcNotification { Method = NotificationMethods.InitializedNotification });
        Assert.Equal(NotificationMethods.InitializedNotification, ((JsonRpcNotification)await server.NextSentAsync(Token)).Method);
    }

    [Fact]
    public async Task ServerDies_InFlightAnsweredAtOnce_RefusedWhileRestarting_ThenTheHandshakeIsReplayedAndTheClientHearsListChanged()
    {
        await InitializeThroughAsync(_first);
        await _session.FromClientAsync(Request(new RequestId(2), RequestMethods.Ping));
        await _first.NextSentAsync(Token);
        _first.Close();
        Assert.Contains("closed its connection", (await NextToClientAsync() as JsonRpcError)?.Error.Message, StringComparison.Ordinal);

        // Waiting for the first attempt: refused at once, with when to try again.
        var waiting = _clock.FireWhenWaitingAsync(TimeSpan.FromSeconds(0.5), Token);
        Assert.Equal("the server srv is restarting; retry in 1 s", await ErrorForAsync(new RequestId(3)));
        await waiting;

        var second = await _connected.Reader.ReadAsync(Token).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Token);
        var replayed = (JsonRpcRequest)await second.NextSentAsync(Token);
        Assert.Equal(RequestMethods.Initialize, replayed.Method);
        Assert.Equal("replayed", (string)replayed.Params!["clientInfo"]!["name"]!);
        Assert.NotNull(replayed.Params!["capabilities"]!["roots"]);

        // Still handshaking: the client is refused rather than reaching a server that is not ready.
        Assert.Contains("is restarting", await ErrorForAsync(new RequestId(4)), StringComparison.Ordinal);
        await second.DeliverAsync(Initialized(replayed.Id));
        Assert.Equal(NotificationMethods.InitializedNotification, ((JsonRpcNotification)await second.NextSentAsync(Token)).Method);

        // The new server's answer to initialize is the gateway's: the client hears only that its lists may have changed.
        Assert.Equal(NotificationMethods.ToolListChangedNotification, ((JsonRpcNotification)await NextToClientAsync()).Method);
        Assert.Equal(NotificationMethods.ResourceListChangedNotification, ((JsonRpcNotification)await NextToClientAsync()).Method);

        await _session.FromClientAsync(Request(new RequestId(5), RequestMethods.Ping));
        var ping = (JsonRpcRequest)await second.NextSentAsync(Token);
        await second.DeliverAsync(new JsonRpcResponse { Id = ping.Id, Result = new JsonObject() });
        Assert.Equal(new RequestId(5), ((JsonRpcResponse)await NextToClientAsync()).Id);
        Assert.Equal(1, _connections);
    }

    [Fact]
    public async Task ToolsCallAfterARestart_IsDecidedOnTheNewServersToolList()
    {
        await InitializeThroughAsync(_first);
        _first.Close();
        await _clock.FireWhenWaitingAsync(TimeSpan.FromSeconds(0.5), Token);
        var second = await _connected.Reader.ReadAsync(Token).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Token);
        await second.DeliverAsync(Initialized(((JsonRpcRequest)await second.NextSentAsync(Token)).Id));
        await second.NextSentAsync(Token);
        Assert.Equal(NotificationMethods.ToolListChangedNotification, ((JsonRpcNotification)await NextToClientAsync()).Method);
        await NextToClientAsync();

        await _session.FromClientAsync(Request(new RequestId(2), RequestMethods.ToolsCall, """{"name":"ok","arguments":{}}"""));
        var listing = (JsonRpcRequest)await second.NextSentAsync(Token);
        Assert.Equal(RequestMethods.ToolsList, listing.Method);
        await second.DeliverAsync(new JsonRpcResponse { Id = listing.Id, Result = JsonNode.Parse("""{"tools":[{"name":"ok"}]}""") });
        Assert.Equal(RequestMethods.ToolsCall, ((JsonRpcRequest)await second.NextSentAsync(Token)).Method);
    }

    [Fact]
    public async Task ServerThatCannotBeStarted_IsGivenUpOnAfterTheBackoff_WithAClearError()
    {
        Unstartable = true;
        _first.Close();
        foreach (var delay in new[] { 0.5, 1, 2, 4, 8, 16 })
        {
            await _clock.FireWhenWaitingAsync(TimeSpan.FromSeconds(delay), Token);
        }

        // The last failure is recorded just after the last attempt: ask until the session has caught up.
        var message = await ErrorForAsync(new RequestId(1));
        for (var asked = 2; !message.Contains("gave up", StringComparison.Ordinal) && asked < 200; asked++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), Token);
            message = await ErrorForAsync(new RequestId(asked));
        }

        Assert.Contains("is not running: the gateway gave up restarting it after 6 attempts (last: no such command)", message, StringComparison.Ordinal);
        Assert.Equal(6, _connections);

        // Given up means given up: no more attempts, however long the session lives.
        _manual.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(6, _connections);
    }

    [Fact]
    public async Task ServerThatDiesRightAfterEveryRestart_IsGivenUpOnToo()
    {
        _first.Close();
        foreach (var delay in new[] { 0.5, 1, 2, 4, 8, 16 })
        {
            await _clock.FireWhenWaitingAsync(TimeSpan.FromSeconds(delay), Token);
            var next = await _connected.Reader.ReadAsync(Token).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Token);
            next.Close();
        }

        var message = await ErrorForAsync(new RequestId(1));
        for (var asked = 2; !message.Contains("gave up", StringComparison.Ordinal) && asked < 200; asked++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), Token);
            message = await ErrorForAsync(new RequestId(asked));
        }

        Assert.Contains("gave up restarting it after 6 attempts", message, StringComparison.Ordinal);
        Assert.Equal(6, _connections);
    }

    [Fact]
    public async Task SendFailingBecauseTheHttpServerIsGone_RestartsTheServerToo()
    {
        await InitializeThroughAsync(_first);

        // Its reader never ends: the refused connection is the only sign.
        _first.SendFailure = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused");
        Assert.Contains("Connection refused", await ErrorForAsync(new RequestId(2)), StringComparison.Ordinal);
        await _clock.FireWhenWaitingAsync(TimeSpan.FromSeconds(0.5), Token);

        var second = await _connected.Reader.ReadAsync(Token).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.Equal(RequestMethods.Initialize, ((JsonRpcRequest)await second.NextSentAsync(Token)).Method);
    }

    [Fact]
    public async Task ToolsCallWhoseToolListCannotBeFetchedBecauseTheHttpServerIsGone_IsRefusedNamingTheServer_AndRestartsIt()
    {
        await InitializeThroughAsync(_first);

        // The first call needs the tool list; asking for it finds nobody listening.
        _first.SendFailure = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused");
        await _session.FromClientAsync(Request(new RequestId(2), RequestMethods.ToolsCall, """{"name":"ok","arguments":{}}"""));
        var error = Assert.IsType<JsonRpcError>(await NextToClientAsync());
        Assert.Equal(new RequestId(2), error.Id);
        Assert.StartsWith("the server srv could not be asked for its tools, so the call was not forwarded: ", error.Error.Message, StringComparison.Ordinal);
        Assert.EndsWith("Connection refused", error.Error.Message, StringComparison.Ordinal);

        // Not left asking the dead connection: the server is brought back as when a forward finds it gone.
        await _clock.FireWhenWaitingAsync(TimeSpan.FromSeconds(0.5), Token);
        var second = await _connected.Reader.ReadAsync(Token).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.Equal(RequestMethods.Initialize, ((JsonRpcRequest)await second.NextSentAsync(Token)).Method);
    }

    [Fact]
    public async Task SendRefusedForThatRequestAlone_DoesNotRestartTheServer()
    {
        await InitializeThroughAsync(_first);
        _first.SendFailure = new HttpRequestException("Bad Request", null, System.Net.HttpStatusCode.BadRequest);
        Assert.Contains("Bad Request", await ErrorForAsync(new RequestId(2)), StringComparison.Ordinal);

        _first.SendFailure = null;
        await _session.FromClientAsync(Request(new RequestId(3), RequestMethods.Ping));
        Assert.Equal(RequestMethods.Ping, ((JsonRpcRequest)await _first.NextSentAsync(Token)).Method);
        Assert.Equal(0, _connections);
    }
}
