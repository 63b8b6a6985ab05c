using McpWarden.Gateway.Audit;
using McpWarden.Policy.Evaluation;

namespace McpWarden.Gateway.Enforcement;

/// <summary>What <see cref="ToolCallEnforcer.DecideAndRecordAsync"/> decided, and what it recorded.</summary>
/// <param name="Decision">The decision, its units consumed when it allows.</param>
/// <param name="Recorded">The durable audit record (with its id), when the decision was recorded with its units; null when the caller records it.</param>
/// <param name="AuditFailure">Set when the record could not be written: nothing was consumed, and the call must be refused.</param>
public readonly record struct RecordedDecision(Decision Decision, AuditRecord? Recorded, Exception? AuditFailure);
