namespace McpWarden.Gateway.Configuration;

/// <summary>Where counters, approvals, pins and audit are kept: an embedded file, or Redis shared by replicas.</summary>
/// <param name="Path">The SQLite file (absolute), when the store is embedded.</param>
/// <param name="Redis">The <c>HOST:PORT</c> of a Redis shared by several replicas.</param>
public sealed record StoreDefinition(string? Path, string? Redis);
