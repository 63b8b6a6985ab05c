namespace McpWarden.Storage.Sqlite.Database;

/// <summary>A write returning <typeparamref name="T"/> to its caller, who waits on <see cref="Task"/>.</summary>
internal sealed class WriteOperation<T>(Func<StoreConnection, T> work, CancellationToken cancellationToken) : IWriteOperation
{
    // Callers continue on the thread pool, never on the writer's thread.
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T _result = default!;

    public Task<T> Task => _completion.Task;

    public CancellationToken CancellationToken => cancellationToken;

    public void Run(StoreConnection connection) => _result = work(connection);

    public void Complete() => _completion.TrySetResult(_result);

    public void Fail(Exception exception) => _completion.TrySetException(exception);

    public void Cancel() => _completion.TrySetCanceled(cancellationToken);
}
