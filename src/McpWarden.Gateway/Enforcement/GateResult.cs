using McpWarden.Policy.Evaluation;

namespace McpWarden.Gateway.Enforcement;

/// <summary>What the gate decided: forward the call (its audit record awaiting the server's answer), or answer the client with a refusal.</summary>
/// <param name="Forward">True when the call goes on to the server (allowed, approved, or anything in observe mode).</param>
/// <param name="Decision">The final decision, for the refusal the client receives.</param>
/// <param name="AuditId">The audit record the server's answer completes; null when nothing is forwarded.</param>
public readonly record struct GateResult(bool Forward, Decision Decision, long? AuditId);
