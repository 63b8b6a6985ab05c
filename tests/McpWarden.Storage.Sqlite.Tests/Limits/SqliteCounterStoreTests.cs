using McpWarden.Gateway.Limits;
using McpWarden.Testing;

namespace McpWarden.Storage.Sqlite.Tests.Limits;

public sealed class SqliteCounterStoreTests : CounterStoreContract, IDisposable
{
    private readonly TempStores _stores = new();

    protected override ICounterStore CreateStore(TimeProvider time) => _stores.Open(time).Counters;

    public void Dispose() => _stores.Dispose();
}
