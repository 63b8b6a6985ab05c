namespace McpWarden.Catalog.Scanning;

/// <summary>What the scan needs to know beyond one definition: whose tool it is and what the other servers offer.</summary>
/// <param name="Server">The configured name of the server whose strings are scanned.</param>
/// <param name="OtherServersTools">The tool names of every other configured server, by server name (for shadowing).</param>
public sealed record ScanContext(string Server, IReadOnlyDictionary<string, IReadOnlyCollection<string>> OtherServersTools)
{
    public static ScanContext Alone(string server) => new(server, new Dictionary<string, IReadOnlyCollection<string>>());
}
