using System.Text.Json.Serialization;

namespace McpWarden.Soak;

/// <summary>The gateway's resident set size (VmRSS) and thread count at a moment of the run.</summary>
internal sealed record RssSample(
    [property: JsonPropertyName("at")] double At,
    [property: JsonPropertyName("rssKb")] long RssKb,
    [property: JsonPropertyName("threads")] int Threads);
