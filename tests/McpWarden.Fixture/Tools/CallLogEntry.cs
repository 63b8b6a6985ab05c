using System.Text.Json;
using System.Text.Json.Serialization;

namespace McpWarden.Fixture.Tools;

/// <summary>One line of the call log: a tools/call that reached the fixture and ran.</summary>
internal sealed record CallLogEntry(
    [property: JsonPropertyName("tool")] string Tool,
    [property: JsonPropertyName("arguments")] IDictionary<string, JsonElement>? Arguments,
    [property: JsonPropertyName("session")] string? Session,
    [property: JsonPropertyName("at")] DateTimeOffset At);
