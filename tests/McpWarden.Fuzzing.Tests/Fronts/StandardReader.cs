using System.Text.Json;

namespace McpWarden.Fuzzing.Tests.Fronts;

/// <summary>System.Text.Json as a server would read a message, but as deep as the gateway allows (its default stops at 64).</summary>
internal static class StandardReader
{
    public static JsonDocumentOptions Options { get; } = new() { MaxDepth = 1_000 };
}
