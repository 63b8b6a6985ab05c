using System.Text.Json;

namespace McpWarden.Fixture.Tools;

/// <summary>Input schemas written as JSON text, so that what a client lists is exactly what is written here.</summary>
internal static class Schemas
{
    public static JsonElement NoArguments { get; } = Parse("""{ "type": "object", "properties": {} }""");

    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
