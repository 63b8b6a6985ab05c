using System.Text.Json;

namespace McpWarden.Policy.Evaluation;

/// <summary>One <c>tools/call</c> as the evaluator sees it: decided from the body, never from headers.</summary>
/// <param name="Server">The configured server the call is for: every budget is that server's own.</param>
/// <param name="Tool">The tool name exactly as the message carried it.</param>
/// <param name="Arguments">The call's <c>arguments</c>; <c>default</c> when the message had none (read as <c>{}</c>).</param>
/// <param name="Grant">The authenticated caller.</param>
/// <param name="Session">The MCP session the call arrived on.</param>
public readonly record struct ToolCall(string Server, string Tool, JsonElement Arguments, string Grant, string Session)
{
    /// <summary>The arguments as they are judged, hashed and recorded: a message without any carries <c>{}</c>.</summary>
    public JsonElement ArgumentsOrEmpty => Arguments.ValueKind == JsonValueKind.Undefined ? PolicyEvaluator.EmptyArguments : Arguments;
}
