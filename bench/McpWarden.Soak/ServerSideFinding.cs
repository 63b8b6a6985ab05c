using System.Text.Json.Serialization;

namespace McpWarden.Soak;

/// <summary>What the fixture's call log says ran, per tool, and what it contradicts of the clients' view.</summary>
internal sealed record ServerSideFinding(
    [property: JsonPropertyName("ranOnServer")] IReadOnlyDictionary<string, long> RanOnServer,
    [property: JsonPropertyName("violations")] IReadOnlyList<string> Violations);
