using McpWarden.Gateway.Limits;
using McpWarden.Policy.Evaluation;
using McpWarden.Policy.Limits;
using McpWarden.Storage.Sqlite.Database;

namespace McpWarden.Storage.Sqlite.Limits;

/// <summary>
/// Sliding-window budgets in the store's file, with the arithmetic of <see cref="SlidingWindowLog"/>.
/// A consume runs in the writer's immediate transaction: it reads every budget's units from the file,
/// checks them all, and inserts the call's units only if all have room, so processes sharing the file
/// never admit more than the max between them, and an admitted call's units are committed before it is
/// told so.
/// </summary>
public sealed class SqliteCounterStore : ICounterStore
{
    /// <summary>How many consumes pass between sweeps of rows that have left every window.</summary>
    private const int SweepEvery = 4096;

    private const string SelectWindow = "SELECT at, units FROM counter_units WHERE key = $key AND at > $from ORDER BY at, id";
    private const string SelectNewest = "SELECT id, opened, at, units FROM counter_units WHERE key = $key ORDER BY at DESC, id DESC LIMIT 1";
    private const string Merge = "UPDATE counter_units SET at = $at, units = $units, expires = max(expires, $expires) WHERE id = $id";
    private const string Insert = "INSERT INTO counter_units (key, opened, at, units, expires) VALUES ($key, $at, $at, $units, $expires)";

    private readonly WriteQueue _writes;
    private readonly ReaderPool _readers;
    private readonly TimeProvider _time;
    // Only the writer thread touches it.
    private int _consumes;

    internal SqliteCounterStore(WriteQueue writes, ReaderPool readers, TimeProvider time) => (_writes, _readers, _time) = (writes, readers, time);

    public async ValueTask<CounterOutcome> TryConsumeAsync(IReadOnlyList<LimitObligation> obligations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(obligations);
        if (obligations.Count == 0)
        {
            return CounterOutcome.Admit;
        }

        return await _writes.Enqueue(connection => Consume(connection, obligations), cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<CounterOutcome> CheckAsync(IReadOnlyList<LimitObligation> obligations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(obligations);
        if (obligations.Count == 0)
        {
            return ValueTask.FromResult(CounterOutcome.Admit);
        }

        return ValueTask.FromResult(_readers.Read(connection => Check(connection, obligations, _time.GetUtcNow().UtcTicks)));
    }

    /// <summary>Deletes the rows that have left the longest window they were taken under.</summary>
    internal static int Sweep(StoreConnection connection, long nowTicks)
    {
        var command = connection.Command("DELETE FROM counter_units WHERE expires <= $now");
        command.Bind("$now", nowTicks);
        return command.ExecuteNonQuery();
    }

    /// <summary>On the writer thread, inside its transaction.</summary>
    private CounterOutcome Consume(StoreConnection connection, IReadOnlyList<LimitObligation> obligations)
    {
        var now = _time.GetUtcNow().UtcTicks;
        if (++_consumes % SweepEvery == 0)
        {
            Sweep(connection, now);
        }

        var outcome = Check(connection, obligations, now);
        if (!outcome.Admitted)
        {
            return outcome;
        }

        foreach (var obligation in obligations)
        {
            Add(connection, obligation, now);
        }

        return outcome;
    }

    /// <summary>Checked in the policy's order, so the limit reported is the first one written that has no room.</summary>
    private static CounterOutcome Check(StoreConnection connection, IReadOnlyList<LimitObligation> obligations, long now)
    {
        foreach (var obligation in obligations)
        {
            var window = obligation.Window.Ticks;
            var rows = ReadWindow(connection, obligation.Key, now - window);
            var used = 0m;
            foreach (var (_, units) in rows)
            {
                used = SaturatingAdd(used, units);
            }

            // Written as in SlidingWindowLog.HasRoom, so that no sum can overflow.
            if (!(obligation.Units <= obligation.Max - used))
            {
                return CounterOutcome.Refuse(obligation, RetryAfter(rows, used, now, window, obligation.Units, obligation.Max));
            }
        }

        return CounterOutcome.Admit;
    }

    /// <summary>The budget's rows still in the window, oldest first.</summary>
    private static List<(long At, decimal Units)> ReadWindow(StoreConnection connection, string key, long from)
    {
        var command = connection.Command(SelectWindow);
        command.Bind("$key", key);
        command.Bind("$from", from);
        var rows = new List<(long, decimal)>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add((reader.GetInt64(0), Columns.Exact(reader.GetString(1))));
        }

        return rows;
    }

    /// <summary>
    /// Records admitted units as <see cref="SlidingWindowLog.Add"/> does: merged into the newest row when it
    /// opened within 1/1024 of the window, stamped with the latest time seen (a clock that steps back, or a
    /// process whose clock is behind another's, never makes units leave the window early).
    /// </summary>
    private static void Add(StoreConnection connection, LimitObligation obligation, long now)
    {
        if (obligation.Units <= 0)
        {
            return;
        }

        var window = obligation.Window.Ticks;
        var granularity = Math.Max(1, window / SlidingWindowLog.EntriesPerWindow);
        var newest = connection.Command(SelectNewest);
        newest.Bind("$key", obligation.Key);
        long? id = null;
        long opened = 0, latest = now;
        decimal units = 0;
        using (var reader = newest.ExecuteReader())
        {
            if (reader.Read())
            {
                (id, opened, latest, units) = (reader.GetInt64(0), reader.GetInt64(1), Math.Max(now, reader.GetInt64(2)), Columns.Exact(reader.GetString(3)));
            }
        }

        if (id is { } newestId && latest - opened < granularity)
        {
            var merge = connection.Command(Merge);
            merge.Bind("$id", newestId);
            merge.Bind("$at", latest);
            // INVARIANT: both are within the window's max (the check admitted them), so the sum cannot overflow.
            merge.Bind("$units", Columns.Exact(units + obligation.Units));
            merge.Bind("$expires", latest + window);
            merge.ExecuteNonQuery();
        }
        else
        {
            var insert = connection.Command(Insert);
            insert.Bind("$key", obligation.Key);
            insert.Bind("$at", latest);
            insert.Bind("$units", Columns.Exact(obligation.Units));
            insert.Bind("$expires", latest + window);
            insert.ExecuteNonQuery();
        }
    }

    /// <summary>As <see cref="SlidingWindowLog.RetryAfter"/>: when enough of the oldest units will have left the window.</summary>
    private static TimeSpan? RetryAfter(List<(long At, decimal Units)> rows, decimal used, long now, long window, decimal units, decimal max)
    {
        if (units > max)
        {
            return null;
        }

        // Rows from a longer window of an earlier policy can hold more than max; the excess then only grows.
        var excess = used <= max ? units - (max - used) : SaturatingAdd(units, used - max);
        if (excess <= 0)
        {
            return TimeSpan.Zero;
        }

        var freed = 0m;
        foreach (var (at, rowUnits) in rows)
        {
            freed = SaturatingAdd(freed, rowUnits);
            if (freed >= excess)
            {
                return TimeSpan.FromTicks(Math.Max(0, at + window - now));
            }
        }

        return TimeSpan.Zero;
    }

    private static decimal SaturatingAdd(decimal a, decimal b) => decimal.MaxValue - a < b ? decimal.MaxValue : a + b;
}
