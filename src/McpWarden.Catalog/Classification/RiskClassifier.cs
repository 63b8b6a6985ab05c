using McpWarden.Catalog.Definitions;

namespace McpWarden.Catalog.Classification;

/// <summary>
/// Decides a tool's category and risk from its definition and its server's context, deterministically and
/// with evidence: no network, no model. Annotations can raise a risk, never lower one the rest raises.
/// </summary>
public static class RiskClassifier
{
    // PLACEHOLDER until the rules land: every tool is an unclassified write of high risk.
    public static ToolClassification Classify(ToolDefinition tool, ServerContext server)
    {
        ArgumentNullException.ThrowIfNull(tool);
        ArgumentNullException.ThrowIfNull(server);
        return new ToolClassification(ToolCategory.Write, RiskLevel.High, "not classified yet", []);
    }
}
