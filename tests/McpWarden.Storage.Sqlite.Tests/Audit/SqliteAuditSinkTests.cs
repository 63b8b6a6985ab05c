using McpWarden.Gateway.Audit;
using McpWarden.Testing;

namespace McpWarden.Storage.Sqlite.Tests.Audit;

public sealed class SqliteAuditSinkTests : AuditSinkContract, IDisposable
{
    private readonly TempStores _stores = new();

    protected override IAuditSink CreateSink() => _stores.Open(TimeProvider.System).Audit;

    public void Dispose() => _stores.Dispose();
}
