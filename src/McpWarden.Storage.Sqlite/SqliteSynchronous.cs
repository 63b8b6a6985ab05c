namespace McpWarden.Storage.Sqlite;

/// <summary>How hard SQLite makes a commit durable (its <c>PRAGMA synchronous</c>, in WAL mode).</summary>
public enum SqliteSynchronous
{
    /// <summary>
    /// A commit is in the WAL file (the operating system's cache) when it returns: it survives the process
    /// being killed, not the machine losing power. The WAL is synced to disk at each checkpoint.
    /// </summary>
    Normal,

    /// <summary>Every commit is synced to disk before it returns: it survives a power loss, at the cost of one fsync per commit.</summary>
    Full,
}
