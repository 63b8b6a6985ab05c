using System.Text.Json;
using McpWarden.Catalog.Classification;
using McpWarden.Catalog.Definitions;
using McpWarden.Testing;

namespace McpWarden.Catalog.Tests.Classification;

/// <summary>One labelled tool of tests/catalog/labelled: its definition, its server, and the label a person gave it.</summary>
internal sealed record LabelledTool(string File, ServerContext Server, ToolDefinition Tool, ToolCategory Category, RiskLevel Risk, string Why);

/// <summary>Reads the labelled set: one file per captured server, and the hand-written file holding several.</summary>
internal static class LabelledSet
{
    public static string Directory => Path.Combine(RepositoryPaths.Root, "tests", "catalog", "labelled");

    public static IReadOnlyList<LabelledTool> Load()
    {
        var tools = new List<LabelledTool>();
        foreach (var path in System.IO.Directory.GetFiles(Directory, "*.json").Order(StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            var servers = root.TryGetProperty("servers", out var many) ? many.EnumerateArray().ToArray() : [root];
            foreach (var server in servers)
            {
                tools.AddRange(Read(Path.GetFileName(path), server));
            }
        }

        return tools;
    }

    private static IEnumerable<LabelledTool> Read(string file, JsonElement server)
    {
        var info = server.GetProperty("serverInfo");
        var context = new ServerContext(
            server.GetProperty("server").GetString()!,
            Text(info, "name"),
            Text(info, "title"),
            Text(info, "version"),
            server.GetProperty("instructions").ValueKind == JsonValueKind.String ? server.GetProperty("instructions").GetString() : null);
        var labels = server.GetProperty("labels");
        var definitions = ToolDefinition.ListFrom(server.GetProperty("tools"));
        if (definitions.Count != labels.EnumerateObject().Count())
        {
            throw new InvalidDataException($"{file}: {definitions.Count} tools but {labels.EnumerateObject().Count()} labels");
        }

        foreach (var tool in definitions)
        {
            var label = labels.TryGetProperty(tool.Name, out var found) ? found : throw new InvalidDataException($"{file}: no label for tool \"{tool.Name}\"");
            yield return new LabelledTool(file, context, tool, Parse<ToolCategory>(label, "category"), Parse<RiskLevel>(label, "risk"), label.GetProperty("why").GetString()!);
        }
    }

    private static T Parse<T>(JsonElement label, string field)
        where T : struct, Enum
    {
        var wire = label.GetProperty(field).GetString()!;
        return Enum.GetValues<T>().Single(v => v switch
        {
            ToolCategory c => CatalogNames.Of(c) == wire,
            RiskLevel r => CatalogNames.Of(r) == wire,
            _ => false,
        });
    }

    private static string? Text(JsonElement owner, string name) =>
        owner.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
