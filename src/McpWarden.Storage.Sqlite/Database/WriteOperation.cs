namespace McpWarden.Storage.Sqlite.Database;

/// <summary>A write returning <typeparamref name="T"/> to its caller, who waits on <see cref="Task"/>.</summary>
/// <param name="continuesInline">
/// False (callers that go on with their own work): they continue on the thread pool, never on the writer's thread.
/// True: whoever waits goes on in the thread that settles the write (see <see cref="IWriteOperation.ContinuesInline"/>).
/// </param>
internal sealed class WriteOperation<T>(Func<StoreConnection, T> work, CancellationToken cancellationToken, bool continuesInline = false) : IWriteOperation
{
    private readonly TaskCompletionSource<T> _completion = new(continuesInline ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
    private T _result = default!;

    public Task<T> Task => _completion.Task;

    public CancellationToken CancellationToken => cancellationToken;

    public bool ContinuesInline => continuesInline;

    public void Run(StoreConnection connection) => _result = work(connection);

    public void Complete() => _completion.TrySetResult(_result);

    public void Fail(Exception exception) => _completion.TrySetException(exception);

    public void Cancel() => _completion.TrySetCanceled(cancellationToken);
}
