namespace McpWarden.Policy.Evaluation;

/// <summary>The three outcomes of a decision.</summary>
public enum DecisionKind
{
    Allow,
    Deny,
    /// <summary>Held until a person approves or denies it.</summary>
    Approve,
}
