using System.Collections.Concurrent;
using McpWarden.Policy.Evaluation;
using McpWarden.Policy.Limits;

namespace McpWarden.Gateway.Limits;

/// <summary>
/// Counters in process memory: for tests, <c>--ephemeral</c> and policy test files. Each budget has its
/// own lock; a call locks all of its budgets in key order (so two calls never deadlock), checks them all,
/// then consumes them all.
/// </summary>
public sealed class InMemoryCounterStore : ICounterStore
{
    /// <summary>How many operations pass between two steps of the sweep of budgets that have emptied.</summary>
    private const int SweepStepEvery = 64;

    /// <summary>
    /// How many budgets one step of the sweep visits: twice the operations between steps, so a whole pass takes half
    /// as many operations as there are budgets whatever their number, and no operation pays for all of them (a full
    /// sweep every few thousand operations stalled its caller for tens of milliseconds at 100,000 budgets, and cost
    /// every operation a share that grew with the budgets).
    /// </summary>
    private const int SweepStepBudgets = 2 * SweepStepEvery;

    private readonly ConcurrentDictionary<string, Budget> _budgets = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly Lock _sweepLock = new();
    private int _operations;
    private long _sweepVisits;

    // Where the sweep stands in the map between its steps; only the holder of _sweepLock touches it.
    private IEnumerator<KeyValuePair<string, Budget>>? _sweepCursor;

    public InMemoryCounterStore(TimeProvider time) => _time = time;

    /// <summary>How many budgets are held in memory (after sweeping, only those with units in their window).</summary>
    public int BudgetCount => _budgets.Count;

    /// <summary>How many budgets the sweep has looked at so far: its work, which must stay in proportion to the operations.</summary>
    internal long SweepVisits => Interlocked.Read(ref _sweepVisits);

    public ValueTask<CounterOutcome> TryConsumeAsync(IReadOnlyList<LimitObligation> obligations, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Run(obligations, consume: true));

    public ValueTask<CounterOutcome> CheckAsync(IReadOnlyList<LimitObligation> obligations, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Run(obligations, consume: false));

    public ValueTask<IReadOnlyList<CounterUsage>> UsageAsync(CancellationToken cancellationToken = default)
    {
        var usage = new List<CounterUsage>();
        foreach (var (key, budget) in _budgets)
        {
            lock (budget)
            {
                var now = _time.GetUtcNow().UtcTicks;
                if (budget.Retired || budget.LatestWindowTicks <= 0)
                {
                    continue;
                }

                var (used, oldest) = budget.Log.InWindow(now, budget.LatestWindowTicks);
                if (used > 0 && oldest is { } oldestTicks)
                {
                    usage.Add(new CounterUsage(key, used, TimeSpan.FromTicks(budget.LatestWindowTicks), new DateTimeOffset(oldestTicks + budget.LatestWindowTicks, TimeSpan.Zero)));
                }
            }
        }

        usage.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return ValueTask.FromResult<IReadOnlyList<CounterUsage>>(usage);
    }

    private CounterOutcome Run(IReadOnlyList<LimitObligation> obligations, bool consume)
    {
        if (obligations.Count == 0)
        {
            return CounterOutcome.Admit;
        }

        if (Interlocked.Increment(ref _operations) % SweepStepEvery == 0)
        {
            SweepStep();
        }

        var budgets = LockAll(obligations);
        try
        {
            var now = _time.GetUtcNow().UtcTicks;
            LimitUsage? fullest = null;
            // Checked in the policy's order, so the limit reported is the first one written that has no room.
            for (var i = 0; i < obligations.Count; i++)
            {
                var (obligation, budget) = (obligations[i], budgets[i]);
                budget.LongestWindowTicks = Math.Max(budget.LongestWindowTicks, obligation.Window.Ticks);
                budget.LatestWindowTicks = obligation.Window.Ticks;
                budget.Log.Expire(now, obligation.Window.Ticks);
                if (!budget.Log.HasRoom(obligation.Units, obligation.Max))
                {
                    return CounterOutcome.Refuse(obligation, budget.Log.RetryAfter(now, obligation.Window.Ticks, obligation.Units, obligation.Max));
                }

                // INVARIANT: there is room, so used + units <= max cannot overflow.
                fullest = LimitUsage.Fuller(fullest, new LimitUsage(obligation, budget.Log.Used + Math.Max(0, obligation.Units)));
            }

            if (consume)
            {
                for (var i = 0; i < obligations.Count; i++)
                {
                    budgets[i].Log.Add(now, obligations[i].Window.Ticks, obligations[i].Units);
                }
            }

            return CounterOutcome.AdmitWith(fullest!.Value);
        }
        finally
        {
            foreach (var budget in budgets)
            {
                Monitor.Exit(budget);
            }
        }
    }

    /// <summary>
    /// Locks the budget of every obligation, in key order so that two calls never wait on each other in a
    /// cycle; retries a key whose budget was swept away meanwhile. The result is aligned with <paramref name="obligations"/>.
    /// </summary>
    private Budget[] LockAll(IReadOnlyList<LimitObligation> obligations)
    {
        var budgets = new Budget[obligations.Count];
        foreach (var i in Enumerable.Range(0, obligations.Count).OrderBy(i => obligations[i].Key, StringComparer.Ordinal))
        {
            while (true)
            {
                var budget = _budgets.GetOrAdd(obligations[i].Key, static _ => new Budget());
                Monitor.Enter(budget);
                if (!budget.Retired)
                {
                    budgets[i] = budget;
                    break;
                }

                Monitor.Exit(budget);
            }
        }

        return budgets;
    }

    /// <summary>
    /// Forgets budgets with nothing left in their window, so memory follows live budgets, not every key ever seen:
    /// one step of a pass over the map, <see cref="SweepStepBudgets"/> budgets from where the last step stopped. A
    /// caller that finds another one stepping skips its step; the pass goes on at the next.
    /// </summary>
    private void SweepStep()
    {
        if (!_sweepLock.TryEnter())
        {
            return;
        }

        try
        {
            var now = _time.GetUtcNow().UtcTicks;
            var restarted = false;
            for (var visited = 0; visited < SweepStepBudgets;)
            {
                // The map's enumerator tolerates changes made meanwhile; a budget added behind it is seen next pass.
                _sweepCursor ??= _budgets.GetEnumerator();
                if (!_sweepCursor.MoveNext())
                {
                    _sweepCursor.Dispose();
                    _sweepCursor = null;
                    if (restarted)
                    {
                        break;
                    }

                    restarted = true;
                    continue;
                }

                visited++;
                Interlocked.Increment(ref _sweepVisits);
                var (key, budget) = _sweepCursor.Current;
                if (!Monitor.TryEnter(budget))
                {
                    continue;
                }

                try
                {
                    budget.Log.Expire(now, budget.LongestWindowTicks);
                    if (budget.Log.IsEmpty && !budget.Retired)
                    {
                        // INVARIANT: retired under its lock, so no caller can add units to a budget no longer in the map.
                        budget.Retired = true;
                        _budgets.TryRemove(new KeyValuePair<string, Budget>(key, budget));
                    }
                }
                finally
                {
                    Monitor.Exit(budget);
                }
            }
        }
        finally
        {
            _sweepLock.Exit();
        }
    }

    private sealed class Budget
    {
        public SlidingWindowLog Log { get; } = new();

        public bool Retired { get; set; }

        /// <summary>The longest window this budget was used with: sweeping errs long if a reload changed it.</summary>
        public long LongestWindowTicks { get; set; }

        /// <summary>The window of the latest call that checked this budget: the one its usage is reported under.</summary>
        public long LatestWindowTicks { get; set; }
    }
}
