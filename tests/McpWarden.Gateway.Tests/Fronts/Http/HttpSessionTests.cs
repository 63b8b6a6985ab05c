using McpWarden.Gateway.Fronts.Http;
using McpWarden.Gateway.Relay;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Protocol;
using Xunit;

namespace McpWarden.Gateway.Tests.Fronts.Http;

[Trait("Security", "hostile-input")]
public sealed class HttpSessionTests
{
    [Fact]
    public async Task RequestAsync_RelayThatThrows_LeavesTheIdFreeForTheNextRequest()
    {
        await using var session = new HttpSession("id", "http-1", "local", "payments", TimeProvider.System, NullLogger.Instance);
        var relay = new ThrowingOnceRelay();
        session.Attach(relay);
        var request = new JsonRpcRequest { Id = new RequestId(1), Method = RequestMethods.Ping };

        await Assert.ThrowsAsync<InvalidOperationException>(() => session.RequestAsync(request));

        // Before, the id stayed in flight for good: every later request reusing it was refused as a duplicate (409).
        Assert.NotNull(await session.RequestAsync(request));
        Assert.Equal(2, relay.Received);
    }

    private sealed class ThrowingOnceRelay : IRelaySession
    {
        public int Received { get; private set; }

        public void Start()
        {
        }

        public Task FromClientAsync(JsonRpcMessage message) =>
            ++Received == 1 ? throw new InvalidOperationException("the relay could not take it") : Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
