using McpWarden.Gateway.Audit;
using McpWarden.Testing;

namespace McpWarden.Gateway.Tests.Audit;

public sealed class InMemoryAuditSinkTests : AuditSinkContract
{
    protected override IAuditSink CreateSink() => new InMemoryAuditSink();
}
