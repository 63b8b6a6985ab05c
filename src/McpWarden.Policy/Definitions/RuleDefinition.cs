using System.Text.Json;

namespace McpWarden.Policy.Definitions;

/// <summary>The rule for one tool name or pattern, as written under <c>tools</c>.</summary>
/// <param name="Path">JSON path of the rule within the policy, e.g. <c>/tools/run_workflow</c>.</param>
/// <param name="Key">The tool name or <c>*</c> pattern, in Unicode NFC.</param>
/// <param name="Action">What the rule does; <see cref="PolicyAction.Allow"/> when not written.</param>
/// <param name="Reason">Returned to the agent when this rule denies a call.</param>
/// <param name="Limits">Every limit, the <c>rate_limit</c> shorthand included, in document order.</param>
/// <param name="Arguments">The rule's JSON Schema for the call's arguments, if any.</param>
/// <param name="Approval">For an <c>approve</c> rule: how long a call waits for a person, and who is asked.</param>
public sealed record RuleDefinition(
    string Path,
    string Key,
    PolicyAction Action,
    string? Reason,
    IReadOnlyList<LimitDefinition> Limits,
    JsonElement? Arguments,
    ApprovalDefinition Approval);
