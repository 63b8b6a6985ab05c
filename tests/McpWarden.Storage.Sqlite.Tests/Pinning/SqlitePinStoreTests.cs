using McpWarden.Gateway.Pinning;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Storage.Sqlite.Tests.Pinning;

public sealed class SqlitePinStoreTests : PinStoreContract, IDisposable
{
    private readonly TempStores _stores = new();

    protected override IPinStore CreateStore(TimeProvider time) => _stores.Open(time).Pins;

    [Fact]
    public async Task Pins_SurviveReopening()
    {
        var store = _stores.Open(Clock);
        await store.Pins.CheckAsync("fs", [Definition("read", "Reads")], Cancellation);
        await store.Pins.CheckAsync("fs", [Definition("read", "Changed")], Cancellation);
        var before = await store.Pins.ListAsync(null, Cancellation);
        _stores.Close(store);

        var reopened = _stores.Open(Clock);

        Assert.Equal(before, await reopened.Pins.ListAsync(null, Cancellation));
        var check = Assert.Single(await reopened.Pins.CheckAsync("fs", [Definition("read", "Changed")], Cancellation));
        Assert.Equal((PinState.Changed, false), (check.State, check.NewlyChanged));
    }

    [Fact]
    public async Task TwoStoresOnOneFile_Agree()
    {
        // Two processes sharing the file: a serve and a desktop client's stdio gateway, say.
        var one = _stores.Open(Clock).Pins;
        var two = _stores.Open(Clock).Pins;

        var pinnedByOne = await Task.WhenAll(
            Task.Run(() => one.CheckAsync("fs", [Definition("read", "Reads")], Cancellation)),
            Task.Run(() => two.CheckAsync("fs", [Definition("read", "Reads")], Cancellation)));
        Assert.All(pinnedByOne, c => Assert.Equal(PinState.Pinned, Assert.Single(c).State));

        var changed = await Task.WhenAll(
            Task.Run(() => one.CheckAsync("fs", [Definition("read", "Changed")], Cancellation)),
            Task.Run(() => two.CheckAsync("fs", [Definition("read", "Changed")], Cancellation)));
        Assert.Equal(1, changed.Count(c => c[0].NewlyChanged));

        Assert.Equal(PinAcceptance.Accepted, await two.AcceptAsync("fs", "read", Definition("read", "Changed").Fingerprint, Cancellation));
        Assert.Equal(PinState.Pinned, Assert.Single(await one.CheckAsync("fs", [Definition("read", "Changed")], Cancellation)).State);
        Assert.Equal(await one.ListAsync(null, Cancellation), await two.ListAsync(null, Cancellation));
    }

    public void Dispose() => _stores.Dispose();
}
