using McpWarden.Gateway.Storage;
using McpWarden.Gateway.Time;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Storage.Redis.Tests.Limits;

/// <summary>A Redis that stops: every counter operation fails closed as unavailable, and the same store serves again once Redis is back.</summary>
public sealed class RedisCounterStoreFailureTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TryConsumeCheckAndUsage_RedisStopped_AreUnavailable_ThenTheSameStoreAdmitsAgain()
    {
        await using var server = await RedisServer.StartAsync();
        using var store = await RedisStore.OpenAsync(new RedisStoreOptions { Endpoint = server.Endpoint, OperationTimeout = TimeSpan.FromMilliseconds(500) }, new ManualTimeProvider(ManualTimeProvider.TestEpoch));
        var calls = Budgets.Obligations(Budgets.Spend("10"), "call");
        Assert.True((await store.Counters.TryConsumeAsync(calls, Cancellation)).Admitted);

        await server.StopAsync();
        var consume = await Assert.ThrowsAsync<StoreUnavailableException>(async () => await store.Counters.TryConsumeAsync(calls, Cancellation));
        Assert.Contains(server.Endpoint, consume.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StoreUnavailableException>(async () => await store.Counters.CheckAsync(calls, Cancellation));
        await Assert.ThrowsAsync<StoreUnavailableException>(async () => await store.Counters.UsageAsync(Cancellation));

        // Back without its data (no persistence) and without the script: the store reconnects and sends it again.
        await server.StartAgainAsync();
        var waiting = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                Assert.True((await store.Counters.TryConsumeAsync(calls, Cancellation)).Admitted);
                break;
            }
            catch (StoreUnavailableException) when (waiting.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100, Cancellation);
            }
        }

        Assert.True((await store.Counters.CheckAsync(calls, Cancellation)).Admitted);
        Assert.Equal(1m, Assert.Single(await store.Counters.UsageAsync(Cancellation)).Used);
    }
}
