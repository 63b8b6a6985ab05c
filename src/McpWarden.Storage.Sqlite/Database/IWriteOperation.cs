namespace McpWarden.Storage.Sqlite.Database;

/// <summary>One caller's write, queued for the writer: run inside the batch's transaction, then settled once the batch commits or fails.</summary>
internal interface IWriteOperation
{
    CancellationToken CancellationToken { get; }

    /// <summary>Does the work inside the open transaction, keeping the result for <see cref="Complete"/>; throws to undo it alone.</summary>
    void Run(StoreConnection connection);

    /// <summary>The batch committed: the caller gets its result.</summary>
    void Complete();

    void Fail(Exception exception);

    void Cancel();
}
