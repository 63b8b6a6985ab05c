using System.Text.Json.Nodes;
using McpWarden.Policy.Compilation;

namespace McpWarden.Gateway.Enforcement;

/// <summary>
/// What the agent sees of a <c>tools/list</c> answer: the tools the policy hides are removed, every other
/// tool and every other field pass unchanged (unknown fields and schemas byte for byte). A name listed more
/// than once is decided here too, not by name alone (<see cref="ToolDuplicates"/>): copies of one definition
/// are listed once (the first), and a name with different definitions is removed altogether.
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
        var conflicting = ToolDuplicates.Conflicting(tools);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var kept = new List<JsonNode?>(tools.Count);
        foreach (var entry in tools)
        {
            // A tool whose name cannot be read cannot be matched to a rule, so it is hidden too.
            var name = entry is JsonObject tool && tool["name"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
            if (name is null || conflicting.Contains(name) || !seen.Add(name) || policy.Hides(name) || alsoHidden?.Invoke(name) == true)
            {
                continue;
            }

            kept.Add(entry);
        }

        tools.Clear();
        foreach (var entry in kept)
        {
            tools.Add(entry);
        }

        return copy;
    }
}
