namespace McpWarden.Gateway.Configuration;

/// <summary>How the gateway reaches one MCP server: a child process over stdio, or a URL.</summary>
public abstract record UpstreamDefinition;
