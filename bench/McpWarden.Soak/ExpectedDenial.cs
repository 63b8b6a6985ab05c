namespace McpWarden.Soak;

/// <summary>The refusal a call must get: its reason code, the rule that decides it, and words its message must carry.</summary>
/// <param name="Rule">The JSON path of the deciding rule; null where the policy does not fix it (a default).</param>
/// <param name="MessageContains">Text the message must include (a rule's reason); null when any message will do.</param>
internal sealed record ExpectedDenial(string Code, string? Rule, string? MessageContains);
