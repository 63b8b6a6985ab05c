using System.Text.Json.Nodes;
using McpWarden.Testing;

namespace McpWarden.Fuzzing.Tests.Generators;

/// <summary>A valid document the fuzzer starts from.</summary>
internal sealed record Seed(string Name, JsonTree Tree)
{
    public static Seed FromFile(string path) =>
        new(Path.GetRelativePath(RepositoryPaths.Root, path), JsonTree.From(JsonNode.Parse(File.ReadAllText(path))));

    public static IReadOnlyList<Seed> FromFiles(IEnumerable<string> paths) => paths.Order(StringComparer.Ordinal).Select(FromFile).ToList();

    /// <summary>One seed per line of a JSON Lines file.</summary>
    public static IReadOnlyList<Seed> FromLines(string path) =>
        File.ReadAllLines(path)
            .Select((line, index) => (line, index))
            .Where(l => l.line.Trim().Length > 0)
            .Select(l => new Seed($"{Path.GetFileName(path)}:{l.index + 1}", JsonTree.From(JsonNode.Parse(l.line))))
            .ToList();
}
