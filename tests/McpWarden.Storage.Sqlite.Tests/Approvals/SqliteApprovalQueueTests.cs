using McpWarden.Gateway.Approvals;
using McpWarden.Testing;

namespace McpWarden.Storage.Sqlite.Tests.Approvals;

public sealed class SqliteApprovalQueueTests : ApprovalQueueContract, IDisposable
{
    private readonly TempStores _stores = new();

    protected override IApprovalQueue CreateQueue(TimeProvider time) => _stores.Open(time).Approvals;

    public void Dispose() => _stores.Dispose();
}
