namespace McpWarden.Storage.Sqlite;

/// <summary>The store's file cannot be used: not a SQLite database, not a McpWarden store, or written by a newer McpWarden.</summary>
public sealed class SqliteStoreException : Exception
{
    public SqliteStoreException()
    {
    }

    public SqliteStoreException(string message)
        : base(message)
    {
    }

    public SqliteStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
