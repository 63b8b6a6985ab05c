using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace McpWarden.Storage.Sqlite.Database;

/// <summary>
/// Group commit: every write of this process goes through one writer thread, which takes all the writes
/// queued meanwhile and runs them one after another inside one <c>BEGIN IMMEDIATE</c> transaction (each
/// sees the ones before it), commits once, and only then answers their callers. Other processes sharing
/// the file have writers of their own; SQLite's write lock puts their transactions one after another.
/// When no batch is running, a caller of <see cref="Enqueue{T}"/> runs the batch itself, on its own thread (its
/// write after whatever was queued), with no hand-off to the writer and none back to the thread pool: at low
/// concurrency the two wake-ups cost more than the commit. At most one caller does so at a time (it holds the
/// batch lock); the others queue and the writer takes them in the next batch, so group commit stays.
/// </summary>
internal sealed class WriteQueue : IDisposable
{
    // Read by the writer thread and by a caller running a batch inline, never both at once (_batchLock).
    private readonly Channel<IWriteOperation> _queue = Channel.CreateUnbounded<IWriteOperation>(new UnboundedChannelOptions { SingleReader = false });
    // INVARIANT: whoever runs a batch (the writer or one inline caller) holds it; only its holder uses _connection.
    private readonly Lock _batchLock = new();
    private readonly StoreConnection _connection;
    private readonly int _maxBatch;
    private readonly Thread _thread;
    private readonly Lock _deferredLock = new();
    private readonly ITimer _flush;
    // How long a deferred write may wait for another write to share its commit before it gets one of its own.
    private readonly TimeSpan _linger;
    private List<IWriteOperation> _deferred = [];
    // Writes the batch holding _batchLock settled whose awaiters go on inline: told once the lock is released.
    private List<Settlement> _settleAfterBatch = [];
    // When the oldest deferred write still waiting was deferred (Stopwatch ticks); under _deferredLock.
    private long _oldestDeferredAt;
    private bool _closed;
    private int _flushArmed;
    private long _commits;
    private long _inlineBatches;
    private volatile bool _disposing;

    public WriteQueue(StoreConnection connection, int maxBatch, TimeSpan linger)
    {
        _connection = connection;
        _maxBatch = Math.Max(1, maxBatch);
        _linger = linger;
        // Real time, whatever clock the store reads: the linger is how the writer works, not a time the policy counts.
        _flush = TimeProvider.System.CreateTimer(_ => FlushDeferred(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        // A thread of its own: a write may wait on another process's lock, which must not hold a pool thread.
        _thread = new Thread(Run) { IsBackground = true, Name = "McpWarden store writer" };
        _thread.Start();
    }

    /// <summary>How many transactions the writer has committed (fewer than writes when they were grouped).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>How many batches a caller ran on its own thread because the writer was idle.</summary>
    public long InlineBatches => Interlocked.Read(ref _inlineBatches);

    /// <summary>How many writes wait in the queue for the writer.</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>
    /// Queues a write and completes once it is committed. <paramref name="work"/> runs on the writer thread,
    /// inside the transaction; if it throws, its own changes are undone and the others in the batch still commit.
    /// A write cancelled before the writer reaches it is skipped; once run, it completes regardless.
    /// When no batch is running, the batch runs on the caller's thread and the task is complete on return (the
    /// caller may then wait on another process's write lock, up to the busy timeout: one pool thread at most).
    /// </summary>
    public Task<T> Enqueue<T>(Func<StoreConnection, T> work, CancellationToken cancellationToken = default)
    {
        var operation = new WriteOperation<T>(work, cancellationToken);
        if (!_disposing && _batchLock.TryEnter())
        {
            List<Settlement>? afterBatch = null;
            var ranInline = false;
            try
            {
                // INVARIANT: checked while holding the lock: the writer's last batch (after a close) waits for this one.
                if (!_disposing)
                {
                    RunInline(operation);
                    ranInline = true;
                    afterBatch = TakeSettleAfterBatch();
                }
            }
            finally
            {
                _batchLock.Exit();
            }

            if (ranInline)
            {
                Publish(afterBatch);
                return operation.Task;
            }
        }

        if (!_queue.Writer.TryWrite(operation))
        {
            throw new ObjectDisposedException(nameof(WriteQueue), "the store is closed");
        }

        return operation.Task;
    }

    /// <summary>
    /// Queues a write that no caller is waiting on to go on (an outcome noted after the call was answered): it does
    /// not wake the writer, but rides in the next transaction, or commits on its own once the linger is over.
    /// Completes once committed, as <see cref="Enqueue{T}"/> does; a clean close commits it first.
    /// </summary>
    /// <remarks>
    /// When it rides with a caller's write run in the caller's thread, whoever awaits it goes on in that thread once
    /// the batch has released its lock (keep that to bookkeeping): handing it to the pool woke a pool thread in the
    /// middle of the next call's admission, once per call. Committed by the writer, its awaiters go on in the pool,
    /// one work item for the batch's: the writer runs nothing of its callers.
    /// </remarks>
    public Task<T> EnqueueDeferred<T>(Func<StoreConnection, T> work)
    {
        var operation = new WriteOperation<T>(work, CancellationToken.None, continuesInline: true);
        lock (_deferredLock)
        {
            if (_closed)
            {
                throw new ObjectDisposedException(nameof(WriteQueue), "the store is closed");
            }

            if (_deferred.Count == 0)
            {
                _oldestDeferredAt = Stopwatch.GetTimestamp();
            }

            _deferred.Add(operation);
        }

        Arm(_linger);
        return operation.Task;
    }

    private void Arm(TimeSpan dueIn)
    {
        if (Interlocked.CompareExchange(ref _flushArmed, 1, 0) == 0)
        {
            _flush.Change(dueIn, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// The timer: deferred writes that have waited the whole linger without a transaction taking them get one of
    /// their own. Younger ones wait on: under steady traffic each outcome rides in the next call's commit, and a
    /// timer armed for an outcome long since taken must not wake the writer for the one deferred just now (that
    /// commit, on the writer thread, would make the next call queue behind it and hand off twice). A deferred
    /// write waits at most twice the linger (a write deferred while the timer re-arms arms it for a full linger).
    /// </summary>
    private void FlushDeferred()
    {
        // INVARIANT: disarmed (a full fence) before looking, so a write deferred after the look arms the timer again.
        Interlocked.Exchange(ref _flushArmed, 0);
        TimeSpan age;
        lock (_deferredLock)
        {
            if (_deferred.Count == 0 || _closed)
            {
                return;
            }

            age = Stopwatch.GetElapsedTime(_oldestDeferredAt);
        }

        if (age < _linger)
        {
            Arm(_linger - age);
            return;
        }

        // An empty write only wakes the writer, which takes the deferred ones with it. After a close the
        // channel refuses it, and the writer's last batch has taken them.
        _queue.Writer.TryWrite(WakeUp.Instance);
    }

    /// <summary>Takes the deferred writes into a batch, as many as it has room for (all of them when closing); true when some are left.</summary>
    private bool TakeDeferred(List<IWriteOperation> batch, bool closing)
    {
        lock (_deferredLock)
        {
            _closed |= closing;
            if (_deferred.Count == 0)
            {
                return false;
            }

            var room = closing ? _deferred.Count : Math.Max(0, _maxBatch - batch.Count);
            if (room >= _deferred.Count)
            {
                batch.AddRange(_deferred);
                _deferred = [];
            }
            else
            {
                batch.AddRange(_deferred.GetRange(0, room));
                _deferred.RemoveRange(0, room);
            }

            return _deferred.Count > 0;
        }
    }

    /// <summary>Runs, on the caller's thread and holding the batch lock, what was queued before it, then its own write.</summary>
    private void RunInline<T>(WriteOperation<T> operation)
    {
        if (operation.CancellationToken.IsCancellationRequested)
        {
            operation.Cancel();
            return;
        }

        var batch = new List<IWriteOperation>(4);
        var more = TakeQueued(batch, _maxBatch - 1);
        batch.Add(operation);
        more |= TakeDeferred(batch, closing: false);
        Interlocked.Increment(ref _inlineBatches);
        RunBatch(batch);
        if (more)
        {
            // What did not fit goes in the writer's next batch.
            _queue.Writer.TryWrite(WakeUp.Instance);
        }
    }

    /// <summary>Moves up to <paramref name="room"/> queued writes into the batch, dropping those cancelled; true when some are left.</summary>
    private bool TakeQueued(List<IWriteOperation> batch, int room)
    {
        var limit = batch.Count + room;
        while (batch.Count < limit && _queue.Reader.TryRead(out var operation))
        {
            if (operation.CancellationToken.IsCancellationRequested)
            {
                operation.Cancel();
            }
            else if (!ReferenceEquals(operation, WakeUp.Instance))
            {
                batch.Add(operation);
            }
        }

        return _queue.Reader.TryPeek(out _);
    }

    private void Run()
    {
        var batch = new List<IWriteOperation>(_maxBatch);
        while (_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            List<Settlement>? afterBatch;
            lock (_batchLock)
            {
                batch.Clear();
                TakeQueued(batch, _maxBatch);

                // Deferred writes share the commit the others pay for; those left over from a full batch go in the next.
                if (TakeDeferred(batch, closing: false))
                {
                    _queue.Writer.TryWrite(WakeUp.Instance);
                }

                if (batch.Count > 0)
                {
                    RunBatch(batch);
                }

                afterBatch = TakeSettleAfterBatch();
            }

            PublishOnPool(afterBatch);
        }

        // Closed: what was deferred is committed before the store closes, never dropped.
        List<Settlement>? last;
        lock (_batchLock)
        {
            batch.Clear();
            TakeDeferred(batch, closing: true);
            if (batch.Count > 0)
            {
                RunBatch(batch);
            }

            last = TakeSettleAfterBatch();
        }

        PublishOnPool(last);
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
                    Settle(operation, exception);
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
            Settle(operation, failure: null);
        }
    }

    /// <summary>Tells the write's caller how it ended, now or (for one whose awaiter goes on inline) once the batch lock is released.</summary>
    private void Settle(IWriteOperation operation, Exception? failure)
    {
        if (operation.ContinuesInline)
        {
            // INVARIANT: never under _batchLock: an awaiter that wrote again there would nest a batch in this one.
            _settleAfterBatch.Add(new Settlement(operation, failure));
        }
        else if (failure is null)
        {
            operation.Complete();
        }
        else
        {
            operation.Fail(failure);
        }
    }

    /// <summary>Under _batchLock: the settlements its batch left for after the lock, if any.</summary>
    private List<Settlement>? TakeSettleAfterBatch()
    {
        if (_settleAfterBatch.Count == 0)
        {
            return null;
        }

        var taken = _settleAfterBatch;
        _settleAfterBatch = [];
        return taken;
    }

    /// <summary>From the writer: tells those writes' awaiters in a pool thread, so that the writer never runs their code (a store disposed there would wait for its own thread).</summary>
    private static void PublishOnPool(List<Settlement>? settlements)
    {
        if (settlements is not null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(Publish, settlements, preferLocal: false);
        }
    }

    /// <summary>Outside _batchLock: tells those writes' awaiters, in this thread.</summary>
    private static void Publish(List<Settlement>? settlements)
    {
        if (settlements is null)
        {
            return;
        }

        foreach (var (operation, failure) in settlements)
        {
            if (failure is null)
            {
                operation.Complete();
            }
            else
            {
                operation.Fail(failure);
            }
        }
    }

    private readonly record struct Settlement(IWriteOperation Operation, Exception? Failure);

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

    private void FailAll(List<IWriteOperation> operations, Exception exception)
    {
        foreach (var operation in operations)
        {
            Settle(operation, exception);
        }
    }

    /// <summary>Stops taking writes, lets the writer finish those queued, and waits for it.</summary>
    public void Dispose()
    {
        _disposing = true;
        if (_queue.Writer.TryComplete())
        {
            _thread.Join();
            _flush.Dispose();
        }
    }
}
