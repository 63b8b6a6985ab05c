using System.Collections.Concurrent;

namespace McpWarden.Storage.Sqlite.Database;

/// <summary>
/// Connections for reads. In WAL mode readers never wait for the writer, so reads run on the caller's
/// thread, each on a connection of its own, with a consistent snapshot when they read more than once.
/// </summary>
internal sealed class ReaderPool : IDisposable
{
    /// <summary>Idle connections kept open; more are opened under a burst and closed after it.</summary>
    private const int Kept = 8;

    private readonly ConcurrentBag<StoreConnection> _idle = [];
    private readonly string _path;
    private readonly SqliteStoreOptions _options;
    private volatile bool _disposed;

    public ReaderPool(string path, SqliteStoreOptions options) => (_path, _options) = (path, options);

    /// <summary>Runs <paramref name="read"/> inside one deferred (read) transaction: every statement sees the same snapshot.</summary>
    public T Read<T>(Func<StoreConnection, T> read)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = _idle.TryTake(out var idle) ? idle : StoreConnection.Open(_path, _options);
        var healthy = false;
        try
        {
            connection.Begin(deferred: true);
            var result = read(connection);
            connection.End();
            healthy = true;
            return result;
        }
        finally
        {
            if (healthy && !_disposed && _idle.Count < Kept)
            {
                _idle.Add(connection);
            }
            else
            {
                connection.Dispose();
            }
        }
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var connection))
        {
            connection.Dispose();
        }
    }
}
