namespace McpWarden.Storage.Sqlite.Database;

/// <summary>One caller's write, queued for the writer: run inside the batch's transaction, then settled once the batch commits or fails.</summary>
internal interface IWriteOperation
{
    CancellationToken CancellationToken { get; }

    /// <summary>
    /// Whoever waits on this write goes on in the thread that settles it, instead of a pool thread woken for it; such
    /// a write is settled only once the batch lock is released (see <see cref="WriteQueue.EnqueueDeferred{T}"/>).
    /// </summary>
    bool ContinuesInline { get; }

    /// <summary>Does the work inside the open transaction, keeping the result for <see cref="Complete"/>; throws to undo it alone.</summary>
    void Run(StoreConnection connection);

    /// <summary>The batch committed: the caller gets its result.</summary>
    void Complete();

    void Fail(Exception exception);

    void Cancel();
}
