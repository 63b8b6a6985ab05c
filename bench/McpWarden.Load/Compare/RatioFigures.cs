using System.Text.Json.Serialization;

namespace McpWarden.Load.Compare;

/// <summary>A scenario against (a), the fixture called directly, at the same concurrency.</summary>
internal sealed record RatioFigures
{
    /// <summary>Calls per second over (a)'s.</summary>
    [JsonPropertyName("throughput")] public required double Throughput { get; init; }
    [JsonPropertyName("p50")] public required double P50 { get; init; }
    [JsonPropertyName("p99")] public required double P99 { get; init; }

    /// <summary>Milliseconds added at p50 and p99 (this scenario's percentile minus (a)'s).</summary>
    [JsonPropertyName("addedP50Ms")] public required double AddedP50Ms { get; init; }
    [JsonPropertyName("addedP99Ms")] public required double AddedP99Ms { get; init; }

    public static RatioFigures Between(ScenarioResult result, ScenarioResult direct) => new()
    {
        Throughput = Math.Round(direct.CallsPerSecond > 0 ? result.CallsPerSecond / direct.CallsPerSecond : 0, 3),
        P50 = Math.Round(direct.LatencyMs.P50 > 0 ? result.LatencyMs.P50 / direct.LatencyMs.P50 : 0, 3),
        P99 = Math.Round(direct.LatencyMs.P99 > 0 ? result.LatencyMs.P99 / direct.LatencyMs.P99 : 0, 3),
        AddedP50Ms = Math.Round(result.LatencyMs.P50 - direct.LatencyMs.P50, 3),
        AddedP99Ms = Math.Round(result.LatencyMs.P99 - direct.LatencyMs.P99, 3),
    };
}
