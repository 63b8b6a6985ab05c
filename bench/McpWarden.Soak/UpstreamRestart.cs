using System.Text.Json.Serialization;

namespace McpWarden.Soak;

/// <summary>One restart of the fixture server: when it was killed and when it listened again (run seconds).</summary>
internal sealed record UpstreamRestart(
    [property: JsonPropertyName("killedAt")] double KilledAt,
    [property: JsonPropertyName("upAt")] double? UpAt,
    [property: JsonPropertyName("error")] string? Error = null);
