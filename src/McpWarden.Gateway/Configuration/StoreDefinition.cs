namespace McpWarden.Gateway.Configuration;

/// <summary>Where counters, approvals, pins and audit are kept: an embedded file, or Redis shared by replicas.</summary>
/// <param name="Path">The SQLite file (absolute), when the store is embedded.</param>
/// <param name="Redis">The <c>HOST:PORT</c> of a Redis shared by several replicas.</param>
public sealed record StoreDefinition(string? Path, string? Redis)
{
    /// <summary>
    /// For the embedded file: whether every commit waits for the disk (<c>"synchronous": "full"</c>), so that a
    /// power loss loses nothing either. By default a commit survives the process being killed, not the machine losing power.
    /// </summary>
    public bool FullSync { get; init; }
}
