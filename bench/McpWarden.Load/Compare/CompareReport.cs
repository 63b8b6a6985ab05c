using System.Text.Json.Serialization;

namespace McpWarden.Load.Compare;

/// <summary>The JSON report (compare.json): the machine, the settings, every scenario at every concurrency, and the verdict.</summary>
internal sealed record CompareReport
{
    [JsonPropertyName("passed")] public required bool Passed { get; init; }
    [JsonPropertyName("failures")] public required IReadOnlyList<string> Failures { get; init; }
    [JsonPropertyName("machine")] public required MachineFacts Machine { get; init; }
    [JsonPropertyName("concurrency")] public required IReadOnlyList<int> Concurrency { get; init; }
    [JsonPropertyName("durationSeconds")] public required double DurationSeconds { get; init; }
    [JsonPropertyName("warmupSeconds")] public required double WarmupSeconds { get; init; }
    [JsonPropertyName("policyRules")] public required int PolicyRules { get; init; }
    [JsonPropertyName("ci")] public required bool Ci { get; init; }

    /// <summary>What each scenario letter stands for.</summary>
    [JsonPropertyName("scenarios")] public required IReadOnlyDictionary<string, string> Scenarios { get; init; }
    [JsonPropertyName("results")] public required IReadOnlyList<ScenarioResult> Results { get; init; }
}
