namespace McpWarden.Gateway.Relay;

/// <summary>
/// The MCP revisions the gateway relays. It serves 2025-11-25, 2025-06-18 and 2025-03-26; it also relays
/// servers that answer with the older 2024-11-05, whose messages are a subset. It does not speak the
/// stateless 2026-07-28 revision yet: its requests repeat a call across round trips, which would be
/// decided and counted once per trip, so a session never settles on it.
/// </summary>
public static class ProtocolVersions
{
    /// <summary>What the gateway asks a server for when the client asked for a revision it does not serve.</summary>
    public const string Newest = "2025-11-25";

    /// <summary>Revisions a client may ask for and get.</summary>
    public static IReadOnlySet<string> Served { get; } = new HashSet<string>(StringComparer.Ordinal) { "2025-11-25", "2025-06-18", "2025-03-26" };

    /// <summary>Revisions a server may answer with.</summary>
    public static IReadOnlySet<string> Relayed { get; } = new HashSet<string>(StringComparer.Ordinal) { "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05" };
}
