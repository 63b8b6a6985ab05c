namespace McpWarden.Gateway.Approvals;

/// <summary>A held call, as a person sees it when deciding.</summary>
/// <param name="Binding">What exactly the approval will release.</param>
/// <param name="Session">The MCP session's log label.</param>
/// <param name="Arguments">The call's arguments as canonical JSON, secrets redacted: what the person approves.</param>
/// <param name="RulePath">The rule that asks for approval.</param>
/// <param name="Message">Why the call is held.</param>
/// <param name="Timeout">How long the call waits for a decision.</param>
/// <param name="Owner">The gateway process holding the call (<see cref="GatewayInstance"/>), so that a restart can tell its own orphans.</param>
public sealed record ApprovalRequest(ApprovalBinding Binding, string Session, string Arguments, string RulePath, string Message, TimeSpan Timeout, string Owner);
