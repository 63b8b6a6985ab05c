using McpWarden.Gateway.Audit;
using McpWarden.Gateway.Limits;
using McpWarden.Gateway.Storage;
using McpWarden.Storage.Sqlite.Audit;
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
public sealed class SqliteCounterStore : ICounterStore, IAdmissionStore
{
    /// <summary>How many consumes pass between sweeps of rows that have left every window.</summary>
    private const int SweepEvery = 4096;

    private const string SelectBudget = "SELECT window, horizon, used FROM counter_budgets WHERE key = $key";
    private const string SelectUnits = "SELECT at, units FROM counter_units WHERE key = $key AND at > $from AND at <= $to ORDER BY at, id";
    private const string SaveBudget = """
        INSERT INTO counter_budgets (key, window, horizon, used) VALUES ($key, $window, $horizon, $used)
        ON CONFLICT (key) DO UPDATE SET window = excluded.window, horizon = excluded.horizon, used = excluded.used
        """;

    private const string SelectNewest = "SELECT id, opened, at, units FROM counter_units WHERE key = $key ORDER BY at DESC, id DESC LIMIT 1";
    private const string Merge = "UPDATE counter_units SET at = $at, units = $units, expires = max(expires, $expires) WHERE id = $id";
    private const string Insert = "INSERT INTO counter_units (key, opened, at, units, expires) VALUES ($key, $at, $at, $units, $expires)";

    // Every row that may still count, with the window of its budget's latest summary (null when there is none).
    private const string SelectLive = """
        SELECT u.key, u.at, u.units, u.expires, b.window FROM counter_units u LEFT JOIN counter_budgets b ON b.key = u.key
        WHERE u.expires > $now ORDER BY u.key, u.at, u.id
        """;

    private readonly WriteQueue _writes;
    private readonly ReaderPool _readers;
    private readonly TimeProvider _time;
    /// <summary>How many budget summaries one sweep while serving checks for rows left.</summary>
    private const int OrphanStep = 1024;

    private const string OrphansBetween = """
        DELETE FROM counter_budgets WHERE key > $after AND ($until IS NULL OR key <= $until)
        AND NOT EXISTS (SELECT 1 FROM counter_units u WHERE u.key = counter_budgets.key)
        """;

    // Only the writer thread touches them.
    private int _consumes;
    private string _orphansAfter = string.Empty;

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

    /// <summary>
    /// The consume and the audit record of an admitted call in one write of the writer's transaction, so they are
    /// committed together (one commit, one hand-off to the writer and back). The write is undone as a whole when
    /// the record fails: no unit is spent on a call that is then refused for want of its record.
    /// </summary>
    public async ValueTask<Admission> TryConsumeAndAppendAsync(IReadOnlyList<LimitObligation> obligations, Func<CounterOutcome, AuditRecord> recordOf, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(obligations);
        ArgumentNullException.ThrowIfNull(recordOf);
        return await _writes.Enqueue(connection =>
        {
            var outcome = obligations.Count == 0 ? CounterOutcome.Admit : Consume(connection, obligations);
            if (!outcome.Admitted)
            {
                return new Admission(outcome, null);
            }

            AuditRecord record;
            long id;
            try
            {
                record = recordOf(outcome);
                id = SqliteAuditSink.Append(connection, record);
            }
            catch (Exception e)
            {
                // Thrown out of the write, which the writer then undoes (the units with it) and fails alone.
                throw new AuditWriteException(e.Message, e);
            }

            return new Admission(outcome, record with { Id = id });
        }, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<CounterOutcome> CheckAsync(IReadOnlyList<LimitObligation> obligations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(obligations);
        if (obligations.Count == 0)
        {
            return ValueTask.FromResult(CounterOutcome.Admit);
        }

        return ValueTask.FromResult(_readers.Read(connection =>
        {
            var now = _time.GetUtcNow().UtcTicks;
            return Check(connection, obligations, now, Used(connection, obligations, now));
        }));
    }

    public ValueTask<IReadOnlyList<CounterUsage>> UsageAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_readers.Read<IReadOnlyList<CounterUsage>>(connection =>
        {
            var now = _time.GetUtcNow().UtcTicks;
            var command = connection.Command(SelectLive);
            command.Bind("$now", now);
            var rows = new List<(string Key, long At, decimal Units, long Expires, long? Window)>();
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    rows.Add((reader.GetString(0), reader.GetInt64(1), Columns.Exact(reader.GetString(2)), reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetInt64(4)));
                }
            }

            var usage = new List<CounterUsage>();
            foreach (var budget in rows.GroupBy(r => r.Key, StringComparer.Ordinal))
            {
                // The summary's window is the latest consume's; without one, the newest row's span tells it.
                var newest = budget.Last();
                var window = newest.Window ?? (newest.Expires - newest.At);
                var inWindow = budget.Where(r => r.At + window > now).ToList();
                var used = inWindow.Aggregate(0m, (sum, r) => SaturatingAdd(sum, r.Units));
                if (window > 0 && used > 0)
                {
                    usage.Add(new CounterUsage(budget.Key, used, TimeSpan.FromTicks(window), Columns.Instant(inWindow[0].At + window)));
                }
            }

            usage.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            return usage;
        }));

    /// <summary>
    /// Deletes the rows that have left the longest window they were taken under, and forgets the summaries
    /// of their budgets (the next call recomputes them from the rows that are left); then every summary left
    /// without rows (a budget only ever charged zero units). At open: the whole table is checked once.
    /// </summary>
    internal static void Sweep(StoreConnection connection, long nowTicks)
    {
        SweepExpired(connection, nowTicks);
        connection.Command("DELETE FROM counter_budgets WHERE NOT EXISTS (SELECT 1 FROM counter_units u WHERE u.key = counter_budgets.key)").ExecuteNonQuery();
    }

    /// <summary>The rows that left their longest window and their budgets' summaries: work in proportion to those rows.</summary>
    private static void SweepExpired(StoreConnection connection, long nowTicks)
    {
        var forget = connection.Command("DELETE FROM counter_budgets WHERE key IN (SELECT key FROM counter_units WHERE expires <= $now)");
        forget.Bind("$now", nowTicks);
        forget.ExecuteNonQuery();
        var delete = connection.Command("DELETE FROM counter_units WHERE expires <= $now");
        delete.Bind("$now", nowTicks);
        delete.ExecuteNonQuery();
    }

    /// <summary>
    /// A sweep while serving: the expired rows, then summaries without rows among the next
    /// <see cref="OrphanStep"/> budgets in key order, from where the last sweep stopped. Checking every summary
    /// each time held the writer (and so every call and audit write) for a scan of the whole table, about
    /// 0.2 s at 100,000 budgets on the project's machine, every few thousand consumes.
    /// </summary>
    private void SweepStep(StoreConnection connection, long nowTicks)
    {
        SweepExpired(connection, nowTicks);
        var boundary = connection.Command("SELECT key FROM counter_budgets WHERE key > $after ORDER BY key LIMIT 1 OFFSET $last");
        boundary.Bind("$after", _orphansAfter);
        boundary.Bind("$last", OrphanStep - 1);
        var until = boundary.ExecuteScalar() as string;
        var orphans = connection.Command(OrphansBetween);
        orphans.Bind("$after", _orphansAfter);
        orphans.Bind("$until", until);
        orphans.ExecuteNonQuery();
        // Past the last summary the next step starts again from the first.
        _orphansAfter = until ?? string.Empty;
    }

    /// <summary>On the writer thread, inside its transaction.</summary>
    private CounterOutcome Consume(StoreConnection connection, IReadOnlyList<LimitObligation> obligations)
    {
        var now = _time.GetUtcNow().UtcTicks;
        if (++_consumes % SweepEvery == 0)
        {
            SweepStep(connection, now);
        }

        var used = Used(connection, obligations, now);
        var outcome = Check(connection, obligations, now, used);
        if (!outcome.Admitted)
        {
            return outcome;
        }

        for (var i = 0; i < obligations.Count; i++)
        {
            var obligation = obligations[i];
            Add(connection, obligation, now);
            if (KeyAppearsOnce(obligations, i))
            {
                // INVARIANT: admitted, so used + units <= max: the sum cannot overflow.
                Save(connection, obligation, now, used[i] + Math.Max(0, obligation.Units));
            }
            else
            {
                // One budget twice in a call: its units went in twice, so its summary is recomputed next time.
                var forget = connection.Command("DELETE FROM counter_budgets WHERE key = $key");
                forget.Bind("$key", obligation.Key);
                forget.ExecuteNonQuery();
            }
        }

        return outcome;
    }

    private static bool KeyAppearsOnce(IReadOnlyList<LimitObligation> obligations, int index)
    {
        for (var i = 0; i < obligations.Count; i++)
        {
            if (i != index && string.Equals(obligations[i].Key, obligations[index].Key, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Checked in the policy's order, so the limit reported is the first one written that has no room.</summary>
    private static CounterOutcome Check(StoreConnection connection, IReadOnlyList<LimitObligation> obligations, long now, decimal[] used)
    {
        LimitUsage? fullest = null;
        for (var i = 0; i < obligations.Count; i++)
        {
            var obligation = obligations[i];
            // Written as in SlidingWindowLog.HasRoom, so that no sum can overflow.
            if (!(obligation.Units <= obligation.Max - used[i]))
            {
                return CounterOutcome.Refuse(obligation, RetryAfter(connection, obligation, used[i], now));
            }

            fullest = LimitUsage.Fuller(fullest, new LimitUsage(obligation, used[i] + Math.Max(0, obligation.Units)));
        }

        return CounterOutcome.AdmitWith(fullest!.Value);
    }

    /// <summary>Each obligation's units in its window as of <paramref name="now"/>.</summary>
    private static decimal[] Used(StoreConnection connection, IReadOnlyList<LimitObligation> obligations, long now)
    {
        var used = new decimal[obligations.Count];
        for (var i = 0; i < obligations.Count; i++)
        {
            used[i] = Used(connection, obligations[i].Key, obligations[i].Window.Ticks, now);
        }

        return used;
    }

    /// <summary>
    /// The units of the budget's rows still in the window (stamped after now − window): from its summary
    /// less the rows that left since, or, when the summary cannot be trusted, from all its rows.
    /// </summary>
    private static decimal Used(StoreConnection connection, string key, long window, long now)
    {
        var horizon = now - window;
        var select = connection.Command(SelectBudget);
        select.Bind("$key", key);
        using (var reader = select.ExecuteReader())
        {
            if (reader.Read() && reader.GetInt64(0) == window && reader.GetInt64(1) <= horizon)
            {
                var used = Columns.Exact(reader.GetString(2)) - Sum(connection, key, reader.GetInt64(1), horizon);
                if (used >= 0)
                {
                    return used;
                }
            }
        }

        return Sum(connection, key, horizon, long.MaxValue);
    }

    /// <summary>The units of the budget's rows stamped in (<paramref name="from"/>, <paramref name="to"/>].</summary>
    private static decimal Sum(StoreConnection connection, string key, long from, long to)
    {
        if (from >= to)
        {
            return 0;
        }

        var command = connection.Command(SelectUnits);
        command.Bind("$key", key);
        command.Bind("$from", from);
        command.Bind("$to", to);
        var sum = 0m;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            sum = SaturatingAdd(sum, Columns.Exact(reader.GetString(1)));
        }

        return sum;
    }

    /// <summary>Keeps the budget's summary for the next call; one that saturated is not kept, so it is recomputed.</summary>
    private static void Save(StoreConnection connection, LimitObligation obligation, long now, decimal used)
    {
        if (used >= decimal.MaxValue)
        {
            return;
        }

        var command = connection.Command(SaveBudget);
        command.Bind("$key", obligation.Key);
        command.Bind("$window", obligation.Window.Ticks);
        command.Bind("$horizon", now - obligation.Window.Ticks);
        command.Bind("$used", Columns.Exact(used));
        command.ExecuteNonQuery();
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
            // INVARIANT: the row opened within the window, so its units and these were both admitted under the
            // max: the sum cannot overflow, and it stays counted (its stamp only moves later).
            var merge = connection.Command(Merge);
            merge.Bind("$id", newestId);
            merge.Bind("$at", latest);
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

    /// <summary>
    /// As <see cref="SlidingWindowLog.RetryAfter"/>: when enough of the oldest units will have left the window.
    /// Reads the rows oldest first and stops as soon as enough would be freed.
    /// </summary>
    private static TimeSpan? RetryAfter(StoreConnection connection, LimitObligation obligation, decimal used, long now)
    {
        var (units, max, window) = (obligation.Units, obligation.Max, obligation.Window.Ticks);
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

        var command = connection.Command(SelectUnits);
        command.Bind("$key", obligation.Key);
        command.Bind("$from", now - window);
        command.Bind("$to", long.MaxValue);
        var freed = 0m;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            freed = SaturatingAdd(freed, Columns.Exact(reader.GetString(1)));
            if (freed >= excess)
            {
                return TimeSpan.FromTicks(Math.Max(0, reader.GetInt64(0) + window - now));
            }
        }

        return TimeSpan.Zero;
    }

    private static decimal SaturatingAdd(decimal a, decimal b) => decimal.MaxValue - a < b ? decimal.MaxValue : a + b;
}
