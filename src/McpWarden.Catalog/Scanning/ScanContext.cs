namespace McpWarden.Catalog.Scanning;

/// <summary>What the scan needs to know beyond one definition: whose tool it is and what the other servers offer.</summary>
/// <param name="Server">The configured name of the server whose strings are scanned.</param>
/// <param name="OtherServersTools">The tool names of every other configured server, by server name (for shadowing).</param>
public sealed record ScanContext(string Server, IReadOnlyDictionary<string, IReadOnlyCollection<string>> OtherServersTools)
{
    /// <summary>
    /// The tool names of the scanned server itself. A name it shares with another server (the same package
    /// configured twice, a common name like <c>search</c>) is then not taken for a mention of the other
    /// server's tool: a server may point the model at its own tools.
    /// </summary>
    public IReadOnlyCollection<string> OwnTools { get; init; } = [];

    public static ScanContext Alone(string server) => new(server, new Dictionary<string, IReadOnlyCollection<string>>());
}
