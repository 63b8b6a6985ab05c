using McpWarden.Gateway.Pinning;
using McpWarden.Testing;

namespace McpWarden.Gateway.Tests.Pinning;

public sealed class InMemoryPinStoreTests : PinStoreContract
{
    protected override IPinStore CreateStore(TimeProvider time) => new InMemoryPinStore(time);
}
