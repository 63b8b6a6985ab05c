namespace McpWarden.Storage.Sqlite.Database;

/// <summary>An empty write that only wakes the writer, so that it commits the deferred writes waiting for a transaction.</summary>
internal sealed class WakeUp : IWriteOperation
{
    public static readonly WakeUp Instance = new();

    private WakeUp()
    {
    }

    public CancellationToken CancellationToken => CancellationToken.None;

    public bool ContinuesInline => false;

    public void Run(StoreConnection connection)
    {
    }

    public void Complete()
    {
    }

    public void Fail(Exception exception)
    {
    }

    public void Cancel()
    {
    }
}
