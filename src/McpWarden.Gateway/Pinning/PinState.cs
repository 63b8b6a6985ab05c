namespace McpWarden.Gateway.Pinning;

/// <summary>How a tool's definition as listed now stands against its pin.</summary>
public enum PinState
{
    /// <summary>Never seen by the gateway: it will be pinned the first time the gateway lists it.</summary>
    Unpinned,

    /// <summary>As pinned (first seen, or last accepted).</summary>
    Pinned,

    /// <summary>Differs from the pin and no one has accepted the change: hidden, its calls denied with <c>tool_changed</c>.</summary>
    Changed,

    /// <summary>Pinning is switched off for the server.</summary>
    Off,
}
