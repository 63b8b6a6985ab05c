using System.Text.Json;
using ModelContextProtocol.Protocol;

namespace McpWarden.Fixture.Tools;

/// <summary>
/// <c>echo</c>: answers its <c>text</c> back as one text block. The load harness (bench/McpWarden.Load) calls it
/// as fast as it is answered to measure what sits between a client and a server, so it does as little as a tool
/// can: no logging, no formatting, nothing kept.
/// </summary>
internal static class EchoTool
{
    public const string Name = "echo";

    public static FixtureTool Create() => new(
        new Tool
        {
            Name = Name,
            Title = "Echo",
            Description = "Returns the given text unchanged.",
            InputSchema = Schemas.Parse("""
                {
                  "type": "object",
                  "properties": {
                    "text": { "type": "string", "description": "The text to return", "maxLength": 4096 }
                  },
                  "required": ["text"],
                  "additionalProperties": false
                }
                """),
            Annotations = new ToolAnnotations { Title = "Echo", ReadOnlyHint = true, DestructiveHint = false, IdempotentHint = true, OpenWorldHint = false },
        },
        (request, _) => ValueTask.FromResult(
            request.Params?.Arguments is { } arguments && arguments.TryGetValue("text", out var text) && text.ValueKind == JsonValueKind.String
                ? ToolResults.Text(text.GetString()!)
                : ToolResults.Error("echo takes a \"text\" string")));
}
