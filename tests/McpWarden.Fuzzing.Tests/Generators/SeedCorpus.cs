using System.Text.Json.Nodes;
using McpWarden.Testing;

namespace McpWarden.Fuzzing.Tests.Generators;

/// <summary>The valid documents every target starts from: the repository's samples and test vectors, and real MCP messages.</summary>
internal static class SeedCorpus
{
    private static string Own(string name) => Path.Combine(AppContext.BaseDirectory, "Seeds", name);

    /// <summary>The sample policies, and every inline policy of the evaluation vectors (among them the seed policy of POLICY.md).</summary>
    public static IReadOnlyList<Seed> Policies { get; } =
    [
        .. Seed.FromFiles(Directory.GetFiles(Path.Combine(RepositoryPaths.Samples, "policies"), "*.json").Where(f => !f.EndsWith(".test.json", StringComparison.Ordinal))),
        .. Directory.GetFiles(Path.Combine(RepositoryPaths.Vectors, "evaluation"), "*.test.json").Order(StringComparer.Ordinal)
            .Select(f => (File: f, Policy: JsonNode.Parse(File.ReadAllText(f))!["policy"]))
            .Where(p => p.Policy is JsonObject)
            .Select(p => new Seed(Path.GetRelativePath(RepositoryPaths.Root, p.File) + "#/policy", JsonTree.From(p.Policy))),
    ];

    /// <summary>The sample configuration and hand-written ones that reach every field of the format.</summary>
    public static IReadOnlyList<Seed> Configurations { get; } =
    [
        Seed.FromFile(Path.Combine(RepositoryPaths.Samples, "mcpwarden.json")),
        .. Seed.FromLines(Own("configurations.jsonl")),
    ];

    /// <summary>The policy test files of the samples and of the evaluation vectors.</summary>
    public static IReadOnlyList<Seed> PolicyTestFiles { get; } =
    [
        .. Seed.FromFiles(Directory.GetFiles(Path.Combine(RepositoryPaths.Samples, "policies"), "*.test.json")),
        .. Seed.FromFiles(Directory.GetFiles(Path.Combine(RepositoryPaths.Vectors, "evaluation"), "*.test.json")),
    ];

    /// <summary>Requests, notifications and answers as MCP clients send them.</summary>
    public static IReadOnlyList<Seed> McpMessages { get; } = Seed.FromLines(Own("mcp-messages.jsonl"));
}
