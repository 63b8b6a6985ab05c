using System.Globalization;
using Microsoft.Data.Sqlite;

namespace McpWarden.Storage.Sqlite.Database;

/// <summary>
/// One connection to the store's file with its statements kept prepared. Used by one thread at a time:
/// the writer's, or a reader's while it holds it from the <see cref="ReaderPool"/>.
/// </summary>
internal sealed class StoreConnection : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private SqliteTransaction? _transaction;

    private StoreConnection(SqliteConnection connection) => Connection = connection;

    public SqliteConnection Connection { get; }

    /// <summary>Opens the file (creating it if absent) with this store's per-connection settings.</summary>
    public static StoreConnection Open(string path, SqliteStoreOptions options)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Connections are kept by the store itself (one writer, a few readers), each with its settings.
            Pooling = false,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            var store = new StoreConnection(connection);
            var synchronous = options.Synchronous == SqliteSynchronous.Full ? "FULL" : "NORMAL";
            store.Execute(string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = {synchronous};"));
            return store;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>A prepared statement for <paramref name="sql"/>, parameters cleared, in the current transaction.</summary>
    public SqliteCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }

        command.Parameters.Clear();
        command.Transaction = _transaction;
        return command;
    }

    public int Execute(string sql)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = _transaction;
        return command.ExecuteNonQuery();
    }

    public T Scalar<T>(string sql)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = _transaction;
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T), CultureInfo.InvariantCulture);
    }

    /// <summary>The first row of <paramref name="sql"/> as integers, read in one statement (so from one snapshot).</summary>
    public long[] Integers(string sql)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = _transaction;
        using var row = command.ExecuteReader();
        if (!row.Read())
        {
            throw new InvalidOperationException($"no row from {sql}");
        }

        return [.. Enumerable.Range(0, row.FieldCount).Select(row.GetInt64)];
    }

    /// <summary>Begins a transaction: <c>BEGIN IMMEDIATE</c> (takes the write lock now) unless <paramref name="deferred"/>.</summary>
    public SqliteTransaction Begin(bool deferred)
    {
        _transaction = Connection.BeginTransaction(deferred);
        return _transaction;
    }

    /// <summary>Forgets the transaction once committed or rolled back.</summary>
    public void End()
    {
        _transaction?.Dispose();
        _transaction = null;
    }

    public void Dispose()
    {
        End();
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        Connection.Dispose();
    }
}
