using System.Text.Json;
using System.Text.Json.Nodes;
using McpWarden.Catalog.Definitions;
using McpWarden.Catalog.Pinning;
using McpWarden.Policy.Evaluation;
using McpWarden.Policy.Json;

namespace McpWarden.Gateway.Enforcement;

/// <summary>
/// A name a server lists more than once. Copies with the same pinned definition (same fingerprint) are one tool,
/// listed once. Copies that differ make the name <em>conflicting</em>: which definition a call reaches would be
/// the server's choice, and the gateway cannot pin, scan or show one of them while the model may read the other,
/// so the name is withheld entirely (hidden, its calls refused with <c>tool_flagged</c>) wherever a list is seen:
/// the list a client receives, the gateway's own catalog, and the inventory.
/// </summary>
public static class ToolDuplicates
{
    /// <summary>The names of <paramref name="tools"/> listed more than once with definitions that differ.</summary>
    public static IReadOnlySet<string> Conflicting(IEnumerable<ToolDefinition> tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var byName = new Dictionary<string, List<ToolDefinition>>(StringComparer.Ordinal);
        foreach (var tool in tools)
        {
            if (!byName.TryGetValue(tool.Name, out var copies))
            {
                byName[tool.Name] = copies = [];
            }

            copies.Add(tool);
        }

        return Conflicting(byName);
    }

    /// <summary>The names in <c>tools/list</c> entries (JSON objects) listed more than once with definitions that differ.</summary>
    public static IReadOnlySet<string> Conflicting(IEnumerable<JsonNode?> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var byName = new Dictionary<string, List<JsonNode>>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry is JsonObject tool && tool["name"] is JsonValue value && value.TryGetValue<string>(out var name))
            {
                if (!byName.TryGetValue(name, out var copies))
                {
                    byName[name] = copies = [];
                }

                copies.Add(tool);
            }
        }

        // Only the names listed twice are read as definitions: a normal list costs one dictionary pass.
        var repeated = byName.Where(pair => pair.Value.Count > 1)
            .ToDictionary(
                pair => pair.Key,
                pair => pair.Value.Select(node => ToolDefinition.From(JsonSerializer.SerializeToElement(node, GatewayJsonContext.Default.JsonNode))).OfType<ToolDefinition>().ToList(),
                StringComparer.Ordinal);
        return Conflicting(repeated);
    }

    /// <summary>How many different definitions the copies of one name hold.</summary>
    public static int DistinctDefinitions(IEnumerable<ToolDefinition> copies) =>
        copies.Select(copy => ToolFingerprint.Of(copy).Fingerprint).Distinct(StringComparer.Ordinal).Count();

    /// <summary>Why a conflicting name's calls are refused (and what the catalogue says of it).</summary>
    public static ToolWithheld Withheld(string name) => new(ReasonCodes.ToolFlagged, Sentence(name));

    /// <summary>The one sentence said of a conflicting name, in the refusal, the log and the catalogue findings.</summary>
    public static string Sentence(string name) =>
        $"the server lists {JsonText.Quote(name)} more than once with different definitions; which one a call would reach is the server's choice, so the tool is hidden and its calls refused until the server lists one definition";

    private static HashSet<string> Conflicting(Dictionary<string, List<ToolDefinition>> byName)
    {
        var conflicting = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, copies) in byName)
        {
            if (copies.Count > 1 && DistinctDefinitions(copies) > 1)
            {
                conflicting.Add(name);
            }
        }

        return conflicting;
    }
}
