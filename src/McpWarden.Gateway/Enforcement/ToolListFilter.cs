using System.Text.Json.Nodes;
using McpWarden.Policy.Compilation;

namespace McpWarden.Gateway.Enforcement;

/// <summary>
/// What the agent sees of a <c>tools/list</c> answer: the tools the policy hides are removed, every other
/// tool and every other field pass unchanged (unknown fields and schemas byte for byte).
/// </summary>
public static class ToolListFilter
{
    /// <summary>
    /// A copy of <paramref name="result"/> without the tools <paramref name="policy"/> hides; null when the
    /// result is not a tool list at all (it is then not passed on: what it hides could not be told).
    /// </summary>
    /// <param name="alsoHidden">Tools the gateway hides whatever the policy says (changed since pinned, flagged by the scan).</param>
    public static JsonNode? Filter(JsonNode? result, CompiledPolicy policy, Func<string, bool>? alsoHidden = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (result is not JsonObject { } original || original["tools"] is not JsonArray)
        {
            return null;
        }

        var copy = original.DeepClone();
        var tools = copy["tools"]!.AsArray();
        for (var i = tools.Count - 1; i >= 0; i--)
        {
            // A tool whose name cannot be read cannot be matched to a rule, so it is hidden too.
            var name = tools[i] is JsonObject tool && tool["name"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
            if (name is null || policy.Hides(name) || alsoHidden?.Invoke(name) == true)
            {
                tools.RemoveAt(i);
            }
        }

        return copy;
    }
}
