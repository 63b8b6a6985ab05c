namespace McpWarden.Catalog.Pinning;

/// <summary>What pinning keeps of a tool: its canonical definition and that text's fingerprint.</summary>
/// <param name="Fingerprint">Lower-case hex SHA-256 of <paramref name="Definition"/>.</param>
/// <param name="Definition">Canonical JSON of the tool's name, title, description, input schema and annotations.</param>
public sealed record PinnedDefinition(string Tool, string Fingerprint, string Definition);
