using System.Text.Json.Serialization;

namespace McpWarden.Soak;

/// <summary>What <see cref="GrowthRule"/> concluded from the RSS samples, with every figure it used.</summary>
internal sealed record GrowthVerdict(
    [property: JsonPropertyName("judged")] bool Judged,
    [property: JsonPropertyName("grew")] bool Grew,
    [property: JsonPropertyName("middleMedianMb")] double MiddleMedianMb,
    [property: JsonPropertyName("middleP90Mb")] double MiddleP90Mb,
    [property: JsonPropertyName("lastMedianMb")] double LastMedianMb,
    [property: JsonPropertyName("stepMb")] double StepMb,
    [property: JsonPropertyName("stepLimitMb")] double StepLimitMb,
    [property: JsonPropertyName("slopeMbPerMinute")] double SlopeMbPerMinute,
    [property: JsonPropertyName("slopeLimitMbPerMinute")] double SlopeLimitMbPerMinute,
    [property: JsonPropertyName("explanation")] string Explanation);
