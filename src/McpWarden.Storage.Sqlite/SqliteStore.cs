using McpWarden.Storage.Sqlite.Approvals;
using McpWarden.Storage.Sqlite.Audit;
using McpWarden.Storage.Sqlite.Database;
using McpWarden.Storage.Sqlite.Limits;
using McpWarden.Storage.Sqlite.Pinning;

namespace McpWarden.Storage.Sqlite;

/// <summary>
/// The embedded store: counters, approvals, audit and pins in one SQLite file, which several McpWarden
/// processes may share (a <c>serve</c>, the <c>stdio</c> processes of desktop clients, an <c>audit</c>
/// reading). Every answer comes from the file, never from a cache of this process, and every write is
/// committed before the call that made it returns. See <c>docs/storage.md</c>.
/// </summary>
public sealed class SqliteStore : IDisposable
{
    private readonly StoreConnection _writer;
    private readonly WriteQueue _writes;
    private readonly ReaderPool _readers;

    static SqliteStore() => SQLitePCL.Batteries_V2.Init();

    private SqliteStore(string path, TimeProvider time, SqliteStoreOptions options, StoreConnection writer)
    {
        Path = path;
        _writer = writer;
        _readers = new ReaderPool(path, options);
        _writes = new WriteQueue(writer, options.MaxBatch, options.DeferredLinger);
        Counters = new SqliteCounterStore(_writes, _readers, time);
        Audit = new SqliteAuditSink(_writes, _readers);
        Approvals = new SqliteApprovalQueue(_writes, _readers, time, options.ApprovalPollInterval);
        Pins = new SqlitePinStore(_writes, _readers, time);
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    public SqliteCounterStore Counters { get; }

    public SqliteAuditSink Audit { get; }

    public SqliteApprovalQueue Approvals { get; }

    public SqlitePinStore Pins { get; }

    /// <summary>How many transactions this process has committed: fewer than its writes when they were grouped.</summary>
    public long Commits => _writes.Commits;

    /// <summary>How many of those a caller ran on its own thread, the writer being idle.</summary>
    internal long InlineBatches => _writes.InlineBatches;

    /// <summary>How many writes wait for the writer thread.</summary>
    internal int QueuedWrites => _writes.Queued;

    /// <summary>
    /// Opens the store at <paramref name="path"/>, creating the file if it does not exist and migrating an
    /// older one. Throws <see cref="SqliteStoreException"/> for a file that is not a McpWarden store, or that a newer McpWarden wrote.
    /// </summary>
    public static SqliteStore Open(string path, TimeProvider time, SqliteStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(time);
        options ??= SqliteStoreOptions.Default;
        var fullPath = System.IO.Path.GetFullPath(path);
        var writer = StoreConnection.Open(fullPath, options);
        try
        {
            StoreSchema.Open(writer, fullPath);
            // Short-lived processes (a desktop client's stdio gateway) may never run long enough to sweep.
            SqliteCounterStore.Sweep(writer, time.GetUtcNow().UtcTicks);
            return new SqliteStore(fullPath, time, options, writer);
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>A pragma as this store's connections see it (tests check the settings took).</summary>
    internal string Pragma(string name) => _readers.Read(connection => connection.Scalar<string>("PRAGMA " + name));

    /// <summary>Finishes the writes already queued, then closes the file.</summary>
    public void Dispose()
    {
        _writes.Dispose();
        _readers.Dispose();
        _writer.Dispose();
    }
}
