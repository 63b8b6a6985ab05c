namespace McpWarden.Cli;

/// <summary>What <c>mcpwarden explain</c> was asked: one call to one server under one policy.</summary>
internal sealed record ExplainRequest(string PolicyPath, string Tool, string? ArgumentsJson, string Server, string Grant, string Session, bool Json);
