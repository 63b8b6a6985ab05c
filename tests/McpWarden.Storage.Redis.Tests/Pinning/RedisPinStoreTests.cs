using McpWarden.Gateway.Pinning;
using McpWarden.Gateway.Storage;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Storage.Redis.Tests.Pinning;

/// <summary>The pin-store contract on a real redis-server, and what replicas sharing it must see.</summary>
public sealed class RedisPinStoreTests(RedisServerFixture redis) : PinStoreContract, IClassFixture<RedisServerFixture>, IAsyncDisposable
{
    private readonly OpenedStores _stores = new();

    protected override IPinStore CreateStore(TimeProvider time) => _stores.Open(redis.FreshOptions(), time).Pins;

    [Fact]
    public async Task TwoReplicas_FirstSightOfOneToolAtOnce_PinOneDefinition_TheOtherIsAChangeWaiting()
    {
        for (var round = 0; round < 20; round++)
        {
            var options = redis.FreshOptions();
            var one = _stores.Open(options, Clock).Pins;
            var two = _stores.Open(options, Clock).Pins;
            var seenByOne = Definition("read", "Reads");
            var seenByTwo = Definition("read", "Reads, as listed a moment later");

            var checks = await Task.WhenAll(
                Task.Run(() => one.CheckAsync("fs", [seenByOne], Cancellation)),
                Task.Run(() => two.CheckAsync("fs", [seenByTwo], Cancellation)));

            var pin = Assert.Single(await one.ListAsync(null, Cancellation));
            Assert.Equal(pin, Assert.Single(await two.ListAsync(null, Cancellation)));
            var (won, lost, lostDefinition) = pin.Pinned == seenByOne ? (checks[0][0], checks[1][0], seenByTwo) : (checks[1][0], checks[0][0], seenByOne);
            Assert.Equal((PinState.Pinned, false), (won.State, won.NewlyChanged));
            Assert.Equal((PinState.Changed, true, lostDefinition), (lost.State, lost.NewlyChanged, lost.Pin.Changed));
            Assert.Equal(lostDefinition, pin.Changed);
        }
    }

    [Fact]
    public async Task TwoReplicas_SameDefinitionAtOnce_BothPinned_AChangeReportedOnce_AndAcceptedOnEitherIsSeenByBoth()
    {
        var options = redis.FreshOptions();
        var one = _stores.Open(options, Clock).Pins;
        var two = _stores.Open(options, Clock).Pins;

        var first = await Task.WhenAll(
            Task.Run(() => one.CheckAsync("fs", [Definition("read", "Reads")], Cancellation)),
            Task.Run(() => two.CheckAsync("fs", [Definition("read", "Reads")], Cancellation)));
        Assert.All(first, c => Assert.Equal(PinState.Pinned, Assert.Single(c).State));

        var changed = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Task.Run(() => (i % 2 == 0 ? one : two).CheckAsync("fs", [Definition("read", "Changed")], Cancellation))));
        Assert.All(changed, c => Assert.Equal(PinState.Changed, Assert.Single(c).State));
        Assert.Equal(1, changed.Count(c => c[0].NewlyChanged));

        Assert.Equal(PinAcceptance.Accepted, await two.AcceptAsync("fs", "read", Definition("read", "Changed").Fingerprint, Cancellation));
        Assert.Equal(PinState.Pinned, Assert.Single(await one.CheckAsync("fs", [Definition("read", "Changed")], Cancellation)).State);
        Assert.Equal(await one.ListAsync(null, Cancellation), await two.ListAsync(null, Cancellation));
    }

    [Fact]
    public async Task Names_WithColonsAndTheKeysOwnWords_StayApart()
    {
        // A tool's fields are KIND:TOOL and a server's key is pin:SERVER: names holding colons must not mix.
        var store = CreateStore(Clock);
        await store.CheckAsync("a:b", [Definition("c", "x"), Definition("f:d", "y"), Definition("cf:x", "z")], Cancellation);
        await store.CheckAsync("a", [Definition("b:c", "w")], Cancellation);
        await store.CheckAsync("pins", [Definition("t", "v")], Cancellation);

        Assert.Equal(["a/b:c", "a:b/c", "a:b/cf:x", "a:b/f:d", "pins/t"], (await store.ListAsync(null, Cancellation)).Select(p => $"{p.Server}/{p.Tool}"));
        Assert.Equal(Definition("f:d", "y"), (await store.ListAsync("a:b", Cancellation)).Single(p => p.Tool == "f:d").Pinned);
        Assert.Equal(["a/b:c", "a:b/c", "a:b/cf:x", "a:b/f:d", "pins/t"], (await store.ListNamesAsync(Cancellation)).Select(p => $"{p.Server}/{p.Tool}"));
    }

    [Fact]
    public async Task EveryMethod_RedisStopped_ThrowsStoreUnavailableNamingTheEndpoint()
    {
        await using var server = await RedisServer.StartAsync();
        var store = _stores.Open(new RedisStoreOptions { Endpoint = server.Endpoint, OperationTimeout = TimeSpan.FromMilliseconds(500) }, Clock).Pins;
        await store.CheckAsync("fs", [Definition("read", "Reads")], Cancellation);
        await server.StopAsync();

        var calls = new Dictionary<string, Func<Task>>
        {
            ["check"] = () => store.CheckAsync("fs", [Definition("read", "Reads")], Cancellation),
            ["list"] = () => store.ListAsync(null, Cancellation),
            ["list one"] = () => store.ListAsync("fs", Cancellation),
            ["names"] = () => store.ListNamesAsync(Cancellation),
            ["accept"] = () => store.AcceptAsync("fs", "read", null, Cancellation),
        };
        foreach (var (name, call) in calls)
        {
            var failure = await Assert.ThrowsAsync<StoreUnavailableException>(call);
            Assert.True(failure.Message.Contains(server.Endpoint, StringComparison.Ordinal), $"{name}: {failure.Message}");
        }
    }

    public ValueTask DisposeAsync() => _stores.DisposeAsync();
}
