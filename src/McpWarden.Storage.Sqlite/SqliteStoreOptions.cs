namespace McpWarden.Storage.Sqlite;

/// <summary>How the embedded store uses its file. The defaults suit one machine; see <c>docs/storage.md</c>.</summary>
public sealed record SqliteStoreOptions
{
    public static SqliteStoreOptions Default { get; } = new();

    /// <summary>Durability of a commit: <see cref="SqliteSynchronous.Normal"/> survives a killed process, <see cref="SqliteSynchronous.Full"/> a power loss too.</summary>
    public SqliteSynchronous Synchronous { get; init; } = SqliteSynchronous.Normal;

    /// <summary>How long a statement waits for another process's write lock before it fails (and the call is refused).</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a wait for an approval rereads it, to see decisions taken by another process sharing the file.</summary>
    public TimeSpan ApprovalPollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The most queued writes one transaction (one commit) takes.</summary>
    public int MaxBatch { get; init; } = 256;

    /// <summary>
    /// How long a write no one waits on to go on (a call's outcome) may wait to share another write's commit before
    /// it is committed on its own. Internal: tests stretch it to see the sharing.
    /// </summary>
    internal TimeSpan DeferredLinger { get; init; } = TimeSpan.FromMilliseconds(10);
}
