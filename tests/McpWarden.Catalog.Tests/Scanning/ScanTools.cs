using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpWarden.Catalog.Definitions;
using McpWarden.Catalog.Scanning;

namespace McpWarden.Catalog.Tests.Scanning;

/// <summary>Builds tool definitions for the scan's tests; JSON is written by the serializer, so any text can go in.</summary>
internal static class ScanTools
{
    public static ToolDefinition Described(string description, string name = "helper") =>
        Tool(new JsonObject { ["name"] = name, ["description"] = description, ["inputSchema"] = new JsonObject { ["type"] = "object" } });

    public static ToolDefinition WithProperty(string property, JsonObject schema, string name = "helper") =>
        Tool(new JsonObject
        {
            ["name"] = name,
            ["description"] = "A helper.",
            ["inputSchema"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { [property] = schema } },
        });

    public static ToolDefinition Tool(JsonObject json) =>
        ToolDefinition.From(JsonDocument.Parse(json.ToJsonString()).RootElement)!;

    public static ToolDefinition Parse(string json) => ToolDefinition.From(JsonDocument.Parse(json).RootElement)!;

    /// <summary>ASCII spelled in Unicode tag characters (U+E0020..U+E007E), invisible in every renderer.</summary>
    public static string Tags(string ascii)
    {
        var builder = new StringBuilder();
        foreach (var c in ascii)
        {
            builder.Append(char.ConvertFromUtf32(0xE0000 + c));
        }

        return builder.ToString();
    }

    public static ScanContext WithOthers(string server, params (string Server, string[] Tools)[] others) =>
        new(server, others.ToDictionary(o => o.Server, o => (IReadOnlyCollection<string>)o.Tools));

    public static string Show(IEnumerable<ScanFinding> findings) =>
        string.Join("\n", findings.Select(f => $"{f.Kind} {f.Path} [{f.Excerpt}] {f.Message}"));
}
