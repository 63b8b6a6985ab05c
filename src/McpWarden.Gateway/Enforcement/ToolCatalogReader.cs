using System.Text.Json;
using System.Text.Json.Nodes;
using McpWarden.Policy.Evaluation;
using McpWarden.Policy.Json;
using McpWarden.Policy.Naming;
using McpWarden.Policy.Schema;

namespace McpWarden.Gateway.Enforcement;

/// <summary>
/// Turns a server's <c>tools/list</c> answer into the snapshot the evaluator decides against. A tool with an
/// unusable name is left out (and so can never be called); one whose <c>inputSchema</c> cannot be compiled
/// stays, but its calls are refused rather than let through unchecked. Every such finding is reported.
/// </summary>
public static class ToolCatalogReader
{
    /// <summary>Reads the <c>tools</c> of one or more <c>tools/list</c> result pages.</summary>
    /// <param name="withheld">Why the gateway refuses a tool's calls whatever the policy (see <see cref="ToolVetting"/>), if it does.</param>
    public static ToolCatalog Read(IEnumerable<JsonNode?> pages, Func<string, bool>? changedSincePinned = null, Func<string, ToolWithheld?>? withheld = null)
    {
        ArgumentNullException.ThrowIfNull(pages);
        var tools = new List<ListedTool>();
        var findings = new List<string>();
        var entries = new List<JsonNode?>();
        foreach (var page in pages)
        {
            if (page is not JsonObject result || result["tools"] is not JsonArray array)
            {
                findings.Add("a tools/list result without a \"tools\" array was ignored");
                continue;
            }

            entries.AddRange(array);
        }

        // Two definitions under one name: which one a call meets would be the server's choice, so neither is callable.
        var conflicting = ToolDuplicates.Conflicting(entries);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tool in entries)
        {
            if (tool is JsonObject entry && entry["name"] is JsonValue value && value.TryGetValue<string>(out var name) && seen.Contains(name))
            {
                // A later copy is not read again (its schema compiled twice); the first copy stands for the name.
                if (!conflicting.Contains(name) && reported.Add(name))
                {
                    findings.Add($"tool {JsonText.Quote(name)} is listed more than once with the same definition; it is listed once");
                }

                continue;
            }

            if (Read(tool, changedSincePinned, withheld, findings) is not { } listed)
            {
                continue;
            }

            seen.Add(listed.Name);

            if (conflicting.Contains(listed.Name))
            {
                findings.Add(ToolDuplicates.Sentence(listed.Name));
                listed = listed with { Withheld = ToolDuplicates.Withheld(listed.Name) };
            }

            tools.Add(listed);
        }

        return new ToolCatalog(ToolSnapshot.Of(tools), findings);
    }

    private static ListedTool? Read(JsonNode? tool, Func<string, bool>? changedSincePinned, Func<string, ToolWithheld?>? withheld, List<string> findings)
    {
        if (tool is not JsonObject definition || definition["name"] is not JsonValue nameValue || !nameValue.TryGetValue<string>(out var name))
        {
            findings.Add("a tool that is not an object with a string \"name\" was ignored");
            return null;
        }

        if (ToolNames.Problem(name) is { } problem)
        {
            findings.Add($"tool {JsonText.Quote(name)} is hidden and uncallable: {problem}");
            return null;
        }

        CompiledSchema? schema = null;
        string? schemaProblem = null;
        if (definition["inputSchema"] is { } inputSchema)
        {
            var compilation = JsonSchemaCompiler.Compile(ToElement(inputSchema), new SchemaCompileOptions(Strictness: SchemaStrictness.Upstream));
            schema = compilation.Schema;
            foreach (var diagnostic in compilation.Diagnostics)
            {
                findings.Add($"tool {JsonText.Quote(name)} inputSchema {JsonPointer.Display(diagnostic.SchemaPath)}: {diagnostic.Message}");
            }

            if (schema is null)
            {
                schemaProblem = string.Join("; ", compilation.Diagnostics.Where(d => d.IsError).Select(d => $"{JsonPointer.Display(d.SchemaPath)} {d.Message}"));
            }
        }

        return new ListedTool(name, schema, changedSincePinned?.Invoke(name) ?? false, schemaProblem, withheld?.Invoke(name));
    }

    private static JsonElement ToElement(JsonNode node) => JsonSerializer.SerializeToElement(node, GatewayJsonContext.Default.JsonNode);
}
