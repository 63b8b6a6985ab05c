using System.Text.Json.Serialization;

namespace McpWarden.Soak;

/// <summary>The JSON report (<c>--report</c>): the run's settings, what happened, and the verdict with its reasons.</summary>
internal sealed record SoakReport
{
    [JsonPropertyName("passed")] public required bool Passed { get; init; }
    [JsonPropertyName("failures")] public required IReadOnlyList<string> Failures { get; init; }
    [JsonPropertyName("durationSeconds")] public required double DurationSeconds { get; init; }
    [JsonPropertyName("clients")] public required int Clients { get; init; }
    [JsonPropertyName("seed")] public required int Seed { get; init; }
    [JsonPropertyName("restartEverySeconds")] public required double RestartEverySeconds { get; init; }
    [JsonPropertyName("calls")] public required long Calls { get; init; }
    [JsonPropertyName("callsPerSecond")] public required double CallsPerSecond { get; init; }
    [JsonPropertyName("latencyMs")] public required IReadOnlyDictionary<string, int> LatencyMs { get; init; }
    [JsonPropertyName("kinds")] public required IReadOnlyDictionary<string, long> Kinds { get; init; }
    [JsonPropertyName("details")] public required IReadOnlyDictionary<string, long> Details { get; init; }
    [JsonPropertyName("byCall")] public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> ByCall { get; init; }
    [JsonPropertyName("sessionsOpened")] public required long SessionsOpened { get; init; }
    [JsonPropertyName("sessionOpenFailures")] public required long SessionOpenFailures { get; init; }
    [JsonPropertyName("upstreamRestarts")] public required IReadOnlyList<UpstreamRestart> UpstreamRestarts { get; init; }
    [JsonPropertyName("throughputEverySeconds")] public required int ThroughputEverySeconds { get; init; }
    [JsonPropertyName("throughput")] public required IReadOnlyList<double> Throughput { get; init; }
    [JsonPropertyName("rss")] public required IReadOnlyList<RssSample> Rss { get; init; }
    [JsonPropertyName("growth")] public required GrowthVerdict Growth { get; init; }
    [JsonPropertyName("limits")] public required IReadOnlyList<LimitFinding> Limits { get; init; }
    [JsonPropertyName("server")] public required ServerSideFinding Server { get; init; }
    [JsonPropertyName("gatewayExitCode")] public required int? GatewayExitCode { get; init; }
    [JsonPropertyName("examples")] public required IReadOnlyList<string> Examples { get; init; }
}
