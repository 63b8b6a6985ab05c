namespace McpWarden.Policy.Definitions;

/// <summary>What a rule does with a call that reaches it.</summary>
public enum PolicyAction
{
    Allow,
    Deny,
    /// <summary>A person must approve each call before it is forwarded.</summary>
    Approve,
}
