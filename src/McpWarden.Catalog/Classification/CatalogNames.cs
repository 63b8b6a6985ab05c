namespace McpWarden.Catalog.Classification;

/// <summary>The wire names of categories and risk levels (JSON, tables, docs).</summary>
public static class CatalogNames
{
    public static string Of(ToolCategory category) => category switch
    {
        ToolCategory.Read => "read",
        ToolCategory.Write => "write",
        ToolCategory.Communication => "communication",
        ToolCategory.Execute => "execute",
        ToolCategory.Destructive => "destructive",
        ToolCategory.Financial => "financial",
        ToolCategory.Credentials => "credentials",
        _ => throw new ArgumentOutOfRangeException(nameof(category)),
    };

    public static string Of(RiskLevel risk) => risk switch
    {
        RiskLevel.Low => "low",
        RiskLevel.Medium => "medium",
        RiskLevel.High => "high",
        RiskLevel.Critical => "critical",
        _ => throw new ArgumentOutOfRangeException(nameof(risk)),
    };
}
