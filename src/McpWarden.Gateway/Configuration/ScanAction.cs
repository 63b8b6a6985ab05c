namespace McpWarden.Gateway.Configuration;

/// <summary>What the gateway does with a tool the poisoning scan flags, per server.</summary>
public enum ScanAction
{
    /// <summary>Hidden from the agent and its calls refused (the default: the model reads descriptions even of tools it never calls).</summary>
    Hide,

    /// <summary>Listed and callable; the findings are logged and shown in the inventory.</summary>
    Warn,
}
