namespace McpWarden.Policy.Limits;

/// <summary>
/// The exact sliding-window arithmetic of one budget: a log of admitted units by time, so that for every
/// instant t the units admitted in (t - window, t] are known exactly and never exceed the max. Not
/// thread-safe: a store holds the budget's lock around every use.
/// </summary>
public sealed class SlidingWindowLog
{
    private readonly Queue<(long Ticks, decimal Units)> _entries = new();
    private long _latestTicks = long.MinValue;

    /// <summary>Units admitted within the window as of the last <see cref="Expire"/>.</summary>
    public decimal Used { get; private set; }

    public bool IsEmpty => _entries.Count == 0;

    /// <summary>Drops the entries that have left the window: an entry admitted at e counts until e + window, exclusive.</summary>
    public void Expire(long nowTicks, long windowTicks)
    {
        while (_entries.TryPeek(out var oldest) && oldest.Ticks + windowTicks <= nowTicks)
        {
            _entries.Dequeue();
            Used -= oldest.Units;
        }
    }

    public bool HasRoom(decimal units, decimal max) => Used + units <= max;

    /// <summary>Records admitted units (zero-unit calls leave no trace).</summary>
    public void Add(long nowTicks, decimal units)
    {
        if (units <= 0)
        {
            return;
        }

        // A clock that steps back must not let entries expire early: keep the log in time order, erring late.
        _latestTicks = Math.Max(_latestTicks, nowTicks);
        _entries.Enqueue((_latestTicks, units));
        Used += units;
    }

    /// <summary>
    /// How long until <paramref name="units"/> more would fit, assuming nothing else is admitted
    /// meanwhile; null when they never fit because they alone exceed <paramref name="max"/>.
    /// </summary>
    public TimeSpan? RetryAfter(long nowTicks, long windowTicks, decimal units, decimal max)
    {
        if (units > max)
        {
            return null;
        }

        var excess = Used + units - max;
        if (excess <= 0)
        {
            return TimeSpan.Zero;
        }

        decimal freed = 0;
        foreach (var (ticks, entryUnits) in _entries)
        {
            freed += entryUnits;
            if (freed >= excess)
            {
                return TimeSpan.FromTicks(Math.Max(0, ticks + windowTicks - nowTicks));
            }
        }

        return TimeSpan.Zero;
    }
}
