using McpWarden.Gateway.Approvals;
using McpWarden.Testing;

namespace McpWarden.Gateway.Tests.Approvals;

public sealed class InMemoryApprovalQueueTests : ApprovalQueueContract
{
    protected override IApprovalQueue CreateQueue(TimeProvider time) => new InMemoryApprovalQueue(time);
}
