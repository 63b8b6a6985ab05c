using System.Text.Json;
using ModelContextProtocol.Protocol;

namespace McpWarden.Fixture.Tools;

/// <summary>Small builders for the results the fixture's tools return.</summary>
internal static class ToolResults
{
    public static CallToolResult Text(string text) => new() { Content = [new TextContentBlock { Text = text }] };

    public static CallToolResult Error(string text) => new() { Content = [new TextContentBlock { Text = text }], IsError = true };

    /// <summary>The arguments a tool was called with, as compact JSON (an empty object when there were none).</summary>
    public static string ArgumentsJson(CallToolRequestParams? request) =>
        request?.Arguments is { Count: > 0 } arguments
            ? JsonSerializer.Serialize(arguments, FixtureJsonContext.Default.IDictionaryStringJsonElement)
            : "{}";
}
