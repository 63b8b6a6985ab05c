namespace McpWarden.Catalog.Classification;

/// <summary>How much harm a call can do; ordered, so levels compare. Wire names are lower-case.</summary>
public enum RiskLevel
{
    Low,
    Medium,
    High,
    Critical,
}
