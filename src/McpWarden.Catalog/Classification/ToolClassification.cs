namespace McpWarden.Catalog.Classification;

/// <summary>A tool's category and risk, with the rationale a person can check against the definition.</summary>
/// <param name="Rationale">One or two sentences quoting the evidence, e.g. <c>From the tool's definition "Start an Onfido Studio workflow run" — triggers an external workflow execution</c>.</param>
public sealed record ToolClassification(ToolCategory Category, RiskLevel Risk, string Rationale, IReadOnlyList<Evidence> Evidence);
