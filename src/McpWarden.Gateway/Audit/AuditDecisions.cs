namespace McpWarden.Gateway.Audit;

/// <summary>The decisions an audit record can carry.</summary>
public static class AuditDecisions
{
    /// <summary>The call went on to the server (by rule, or approved by a person).</summary>
    public const string Allow = "allow";

    /// <summary>The call was refused (or, in observe mode, would have been).</summary>
    public const string Deny = "deny";

    /// <summary>The call was held for a person; a second record tells what they decided.</summary>
    public const string Hold = "hold";

    public static IReadOnlyList<string> All { get; } = [Allow, Deny, Hold];
}
