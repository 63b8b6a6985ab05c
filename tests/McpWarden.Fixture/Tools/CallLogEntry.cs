using System.Text.Json;
using System.Text.Json.Serialization;

namespace McpWarden.Fixture.Tools;

/// <summary>One line of the call log: a tools/call that reached the fixture and ran.</summary>
/// <param name="Headers">Over HTTP, the headers of the request that carried the call (names in lower case), so a test can see what a gateway sent along; absent over stdio.</param>
/// <param name="Pid">The fixture process that ran the call, so a test can tell one process per session from one shared.</param>
internal sealed record CallLogEntry(
    [property: JsonPropertyName("tool")] string Tool,
    [property: JsonPropertyName("arguments")] IDictionary<string, JsonElement>? Arguments,
    [property: JsonPropertyName("session")] string? Session,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("headers"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Headers = null,
    [property: JsonPropertyName("pid")] int Pid = 0);
