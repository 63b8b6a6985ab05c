using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace McpWarden.Storage.Sqlite.Database;

/// <summary>
/// Group commit: every write of this process goes through one writer thread, which takes all the writes
/// queued meanwhile and runs them one after another inside one <c>BEGIN IMMEDIATE</c> transaction (each
/// sees the ones before it), commits once, and only then answers their callers. Other processes sharing
/// the file have writers of their own; SQLite's write lock puts their transactions one after another.
/// </summary>
internal sealed class WriteQueue : IDisposable
{
    private readonly Channel<IWriteOperation> _queue = Channel.CreateUnbounded<IWriteOperation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly StoreConnection _connection;
    private readonly int _maxBatch;
    private readonly Thread _thread;
    private long _commits;

    public WriteQueue(StoreConnection connection, int maxBatch)
    {
        _connection = connection;
        _maxBatch = Math.Max(1, maxBatch);
        // A thread of its own: a write may wait on another process's lock, which must not hold a pool thread.
        _thread = new Thread(Run) { IsBackground = true, Name = "McpWarden store writer" };
        _thread.Start();
    }

    /// <summary>How many transactions the writer has committed (fewer than writes when they were grouped).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>
    /// Queues a write and completes once it is committed. <paramref name="work"/> runs on the writer thread,
    /// inside the transaction; if it throws, its own changes are undone and the others in the batch still commit.
    /// A write cancelled before the writer reaches it is skipped; once run, it completes regardless.
    /// </summary>
    public Task<T> Enqueue<T>(Func<StoreConnection, T> work, CancellationToken cancellationToken = default)
    {
        var operation = new WriteOperation<T>(work, cancellationToken);
        if (!_queue.Writer.TryWrite(operation))
        {
            throw new ObjectDisposedException(nameof(WriteQueue), "the store is closed");
        }

        return operation.Task;
    }

    private void Run()
    {
        var batch = new List<IWriteOperation>(_maxBatch);
        // INVARIANT: only this thread uses _connection once the queue has started.
        while (_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var operation))
            {
                if (operation.CancellationToken.IsCancellationRequested)
                {
                    operation.Cancel();
                }
                else
                {
                    batch.Add(operation);
                }
            }

            if (batch.Count > 0)
            {
                RunBatch(batch);
            }
        }
    }

    private void RunBatch(List<IWriteOperation> batch)
    {
        SqliteTransaction transaction;
        try
        {
            transaction = _connection.Begin(deferred: false);
        }
#pragma warning disable CA1031 // The writer thread never dies: whatever fails, fails the batch's callers.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            _connection.End();
            FailAll(batch, exception);
            return;
        }

        var ran = new List<IWriteOperation>(batch.Count);
        try
        {
            foreach (var operation in batch)
            {
                // A savepoint per write: one write's failure undoes that write alone.
                transaction.Save("op");
                try
                {
                    operation.Run(_connection);
                }
#pragma warning disable CA1031 // Whatever one write throws is that caller's error, never the batch's or the thread's.
                catch (Exception exception)
#pragma warning restore CA1031
                {
                    transaction.Rollback("op");
                    transaction.Release("op");
                    operation.Fail(exception);
                    continue;
                }

                transaction.Release("op");
                ran.Add(operation);
            }

            transaction.Commit();
        }
#pragma warning disable CA1031 // The writer thread never dies: whatever fails, fails the batch's callers.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            // The transaction could not be kept or committed: nothing of it is durable, so no caller is told
            // otherwise. Writes that already failed on their own keep their own error.
            TryRollback(transaction);
            _connection.End();
            FailAll(batch, exception);
            return;
        }

        _connection.End();
        Interlocked.Increment(ref _commits);
        foreach (var operation in ran)
        {
            operation.Complete();
        }
    }

    private static void TryRollback(SqliteTransaction transaction)
    {
        try
        {
            transaction.Rollback();
        }
#pragma warning disable CA1031 // The writer thread never dies; a rollback that fails leaves nothing to undo.
        catch (Exception)
#pragma warning restore CA1031
        {
            // SQLite may already have rolled back on its own (a full disk, an I/O error).
        }
    }

    private static void FailAll(List<IWriteOperation> operations, Exception exception)
    {
        foreach (var operation in operations)
        {
            operation.Fail(exception);
        }
    }

    /// <summary>Stops taking writes, lets the writer finish those queued, and waits for it.</summary>
    public void Dispose()
    {
        if (_queue.Writer.TryComplete())
        {
            _thread.Join();
        }
    }
}
