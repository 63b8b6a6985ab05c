using Microsoft.Data.Sqlite;

namespace McpWarden.Storage.Sqlite.Tests;

/// <summary>Store files in a directory of their own, closed and deleted when the test ends.</summary>
public sealed class TempStores : IDisposable
{
    private readonly List<SqliteStore> _open = [];

    public TempStores() => Directory.CreateDirectory(DirectoryPath);

    public string DirectoryPath { get; } = Path.Combine(Path.GetTempPath(), "mcpwarden-sqlite-" + Guid.NewGuid().ToString("N"));

    /// <summary>The file every store of this test uses unless told otherwise.</summary>
    public string DefaultPath => Path.Combine(DirectoryPath, "mcpwarden.db");

    /// <summary>Opens a store (another connection, as another process would) on <paramref name="path"/>, the default file if null.</summary>
    public SqliteStore Open(TimeProvider time, string? path = null, SqliteStoreOptions? options = null)
    {
        var store = SqliteStore.Open(path ?? DefaultPath, time, options);
        lock (_open)
        {
            _open.Add(store);
        }

        return store;
    }

    /// <summary>Closes a store before the test ends (to reopen its file).</summary>
    public void Close(SqliteStore store)
    {
        store.Dispose();
        lock (_open)
        {
            _open.Remove(store);
        }
    }

    /// <summary>A plain connection to the file, for what a test must see or break behind the store's back.</summary>
    public static SqliteConnection Raw(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public static object? Scalar(string path, string sql)
    {
        using var connection = Raw(path);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        foreach (var store in _open)
        {
            store.Dispose();
        }

        _open.Clear();
        Directory.Delete(DirectoryPath, recursive: true);
    }
}
