using McpWarden.Catalog.Definitions;

namespace McpWarden.Catalog.Recommendation;

/// <summary>Writes the policy a careful engineer would start from for a server's live tools (POLICY.md's seed format).</summary>
public static class PolicyRecommender
{
    // PLACEHOLDER until the rules land: deny everything.
    public static string Recommend(ServerContext server, IReadOnlyList<ClassifiedTool> tools)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(tools);
        return """{ "version": "1", "default": "deny", "tools": {} }""";
    }
}
