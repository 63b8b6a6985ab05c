using Xunit;

namespace McpWarden.Gateway.Tests.Enforcement;

/// <summary>Tests that count the process-wide audit-failure counter run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class AuditMetricsGroup
{
    public const string Name = "audit metrics";
}
