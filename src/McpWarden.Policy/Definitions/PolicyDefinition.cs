namespace McpWarden.Policy.Definitions;

/// <summary>A whole policy document as the user wrote it, after strict parsing.</summary>
/// <param name="Default">What happens to a tool no rule matches (deny when not written).</param>
/// <param name="Rules">The rules in document order.</param>
public sealed record PolicyDefinition(PolicyAction Default, IReadOnlyList<RuleDefinition> Rules)
{
    /// <summary>The only version of the language.</summary>
    public const string CurrentVersion = "1";
}
