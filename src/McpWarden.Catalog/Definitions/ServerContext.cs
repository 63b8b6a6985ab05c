namespace McpWarden.Catalog.Definitions;

/// <summary>What the gateway knows of the server a tool belongs to: its configured name and what it said of itself in <c>initialize</c>.</summary>
/// <param name="Name">The server's name in the configuration (<c>mcpServers</c> key).</param>
/// <param name="InfoName">The <c>serverInfo.name</c> it announced, if any.</param>
/// <param name="InfoTitle">The <c>serverInfo.title</c> it announced, if any.</param>
/// <param name="InfoVersion">The <c>serverInfo.version</c> it announced, if any.</param>
/// <param name="Instructions">The <c>instructions</c> it gave the model, if any.</param>
public sealed record ServerContext(string Name, string? InfoName = null, string? InfoTitle = null, string? InfoVersion = null, string? Instructions = null);
