using System.Text.Json.Serialization;

namespace McpWarden.Soak;

/// <summary>What <see cref="LimitCheck"/> found for one limit: the most units it can prove were admitted in one window, and any excess.</summary>
internal sealed record LimitFinding(
    [property: JsonPropertyName("counter")] string Counter,
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("max")] double Max,
    [property: JsonPropertyName("windowSeconds")] int WindowSeconds,
    [property: JsonPropertyName("succeededCalls")] int SucceededCalls,
    [property: JsonPropertyName("mostUnitsInOneWindow")] double MostUnitsInOneWindow,
    [property: JsonPropertyName("violations")] IReadOnlyList<string> Violations);
