using McpWarden.Gateway.Limits;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Storage.Redis.Tests.Limits;

/// <summary>The counter-store contract against a real redis-server: each test's store has a key prefix of its own.</summary>
public sealed class RedisCounterStoreTests(RedisServerFixture redis) : CounterStoreContract, IClassFixture<RedisServerFixture>, IDisposable
{
    private readonly List<RedisStore> _stores = [];

    protected override ICounterStore CreateStore(TimeProvider time)
    {
        // The contract's factory is synchronous; opening never waits for more than one connection attempt.
        var store = RedisStore.OpenAsync(redis.FreshOptions(), time).GetAwaiter().GetResult();
        _stores.Add(store);
        return store.Counters;
    }

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }
    }
}
