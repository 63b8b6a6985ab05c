using System.Text.Json;

namespace McpWarden.Gateway.PolicyTesting;

/// <summary>One tool of the simulated <c>tools/list</c>.</summary>
/// <param name="Changed">Simulates a definition that differs from the pinned one (denied with <c>tool_changed</c>).</param>
public sealed record TestTool(string Name, JsonElement? InputSchema, bool Changed);
