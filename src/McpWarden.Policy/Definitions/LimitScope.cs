namespace McpWarden.Policy.Definitions;

/// <summary>Whose budget a limit counts against.</summary>
public enum LimitScope
{
    /// <summary>The calling credential's: new sessions of the same grant share it.</summary>
    Grant,
    /// <summary>One MCP session's.</summary>
    Session,
    /// <summary>Everyone's on this gateway (every replica when the store is shared).</summary>
    Global,
}
