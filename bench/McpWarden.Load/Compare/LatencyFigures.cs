using System.Text.Json.Serialization;

namespace McpWarden.Load.Compare;

/// <summary>Latency percentiles of the measured calls, in milliseconds, exact from every sample.</summary>
internal sealed record LatencyFigures
{
    [JsonPropertyName("p50")] public required double P50 { get; init; }
    [JsonPropertyName("p99")] public required double P99 { get; init; }
    [JsonPropertyName("p99.9")] public required double P999 { get; init; }
    [JsonPropertyName("max")] public required double Max { get; init; }
    [JsonPropertyName("mean")] public required double Mean { get; init; }

    public static LatencyFigures Of(LoadOutcome outcome) => new()
    {
        P50 = Round(outcome.LatencyMs(0.50)),
        P99 = Round(outcome.LatencyMs(0.99)),
        P999 = Round(outcome.LatencyMs(0.999)),
        Max = Round(outcome.LatencyMs(1)),
        Mean = Round(outcome.MeanMs),
    };

    private static double Round(double ms) => double.IsNaN(ms) ? 0 : Math.Round(ms, 3);
}
