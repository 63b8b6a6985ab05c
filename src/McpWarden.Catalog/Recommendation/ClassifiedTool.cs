using McpWarden.Catalog.Classification;
using McpWarden.Catalog.Definitions;

namespace McpWarden.Catalog.Recommendation;

/// <summary>A tool with what the classifier decided about it.</summary>
public sealed record ClassifiedTool(ToolDefinition Tool, ToolClassification Classification);
