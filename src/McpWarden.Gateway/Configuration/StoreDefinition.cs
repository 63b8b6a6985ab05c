namespace McpWarden.Gateway.Configuration;

/// <summary>
/// Where counters, approvals, pins and audit are kept: an embedded file, or Redis shared by replicas (counters,
/// approvals and pins) with each replica's audit log in its own embedded file.
/// </summary>
/// <param name="Path">The SQLite file (absolute): the whole store when embedded, this replica's audit log beside Redis.</param>
/// <param name="Redis">The Redis shared by several replicas, if any.</param>
public sealed record StoreDefinition(string? Path, RedisDefinition? Redis)
{
    /// <summary>
    /// For the embedded file: whether every commit waits for the disk (<c>"synchronous": "full"</c>), so that a
    /// power loss loses nothing either. By default a commit survives the process being killed, not the machine losing power.
    /// </summary>
    public bool FullSync { get; init; }
}
