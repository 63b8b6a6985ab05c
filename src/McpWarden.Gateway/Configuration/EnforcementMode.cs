namespace McpWarden.Gateway.Configuration;

/// <summary>Whether a server's policy refuses calls, or only decides, counts and records them.</summary>
public enum EnforcementMode
{
    /// <summary>Denials are enforced (the default).</summary>
    Enforce,

    /// <summary>Every call is decided, counted and audited, but none is refused: for trying a policy on live traffic.</summary>
    Observe,
}
