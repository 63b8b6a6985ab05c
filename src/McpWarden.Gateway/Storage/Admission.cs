using McpWarden.Gateway.Audit;
using McpWarden.Gateway.Limits;

namespace McpWarden.Gateway.Storage;

/// <summary>What <see cref="IAdmissionStore.TryConsumeAndAppendAsync"/> did: the counters' outcome, and the record (with its id) when admitted.</summary>
public sealed record Admission(CounterOutcome Outcome, AuditRecord? Record);
