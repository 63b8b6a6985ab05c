using System.Text.Json.Serialization;
using McpWarden.Load.Compare;

namespace McpWarden.Load.Rules;

/// <summary>One policy size: (a) and (b) run back to back, and what (b) adds.</summary>
internal sealed record RulesRow
{
    [JsonPropertyName("rules")] public required int Rules { get; init; }
    [JsonPropertyName("direct")] public required ScenarioResult Direct { get; init; }
    [JsonPropertyName("gateway")] public required ScenarioResult Gateway { get; init; }
    [JsonPropertyName("addedP50Ms")] public required double AddedP50Ms { get; init; }
    [JsonPropertyName("addedP99Ms")] public required double AddedP99Ms { get; init; }
}
