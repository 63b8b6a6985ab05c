namespace McpWarden.Policy.Limits;

/// <summary>
/// The sliding-window arithmetic of one budget: a log of admitted units by time, so that for every
/// instant t the units admitted in (t - window, t] never exceed the max. Units admitted within 1/1024 of
/// a window of each other share one entry stamped with the latest of their times: the log stays bounded
/// however many calls arrive, and an entry only ever leaves the window late, never early. Not
/// thread-safe: a store holds the budget's lock around every use.
/// </summary>
public sealed class SlidingWindowLog
{
    /// <summary>How finely a window is divided: at most about this many entries live in one window.</summary>
    public const int EntriesPerWindow = 1024;

    private (long Ticks, decimal Units)[] _entries = new (long, decimal)[4];
    private int _head;
    private int _count;
    private long _latestTicks = long.MinValue;
    private long _newestEntryOpenedAt = long.MinValue;

    /// <summary>Units admitted within the window as of the last <see cref="Expire"/>.</summary>
    public decimal Used { get; private set; }

    public bool IsEmpty => _count == 0;

    /// <summary>How many entries the log holds (bounded by about <see cref="EntriesPerWindow"/> per window).</summary>
    public int EntryCount => _count;

    /// <summary>Drops the entries that have left the window: an entry stamped e counts until e + window, exclusive.</summary>
    public void Expire(long nowTicks, long windowTicks)
    {
        while (_count > 0 && _entries[_head].Ticks + windowTicks <= nowTicks)
        {
            Used -= _entries[_head].Units;
            _head = (_head + 1) % _entries.Length;
            _count--;
        }

        if (_count == 0)
        {
            // Exact zero, whatever rounding the sums went through.
            Used = 0;
        }
    }

    /// <summary>Whether <paramref name="units"/> more fit under <paramref name="max"/> (written so that no sum can overflow).</summary>
    public bool HasRoom(decimal units, decimal max) => units <= max - Used;

    /// <summary>Records admitted units (zero-unit calls leave no trace).</summary>
    public void Add(long nowTicks, long windowTicks, decimal units)
    {
        if (units <= 0)
        {
            return;
        }

        // A clock that steps back must not let entries expire early: keep the log in time order, erring late.
        _latestTicks = Math.Max(_latestTicks, nowTicks);
        var granularity = Math.Max(1, windowTicks / EntriesPerWindow);
        if (_count > 0 && _latestTicks - _newestEntryOpenedAt < granularity)
        {
            ref var newest = ref _entries[(_head + _count - 1) % _entries.Length];
            newest = (_latestTicks, newest.Units + units);
        }
        else
        {
            Push((_latestTicks, units));
            _newestEntryOpenedAt = _latestTicks;
        }

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

        // INVARIANT: Used <= max and units <= max, so neither difference can overflow.
        var excess = units - (max - Used);
        if (excess <= 0)
        {
            return TimeSpan.Zero;
        }

        decimal freed = 0;
        for (var i = 0; i < _count; i++)
        {
            var (ticks, entryUnits) = _entries[(_head + i) % _entries.Length];
            freed += entryUnits;
            if (freed >= excess)
            {
                return TimeSpan.FromTicks(Math.Max(0, ticks + windowTicks - nowTicks));
            }
        }

        return TimeSpan.Zero;
    }

    /// <summary>
    /// The units still in the window ending at <paramref name="nowTicks"/>, and the stamp of the oldest entry
    /// among them (null when none is); reads only, so a report never changes what a later call is told.
    /// </summary>
    public (decimal Used, long? OldestTicks) InWindow(long nowTicks, long windowTicks)
    {
        decimal used = 0;
        long? oldest = null;
        for (var i = 0; i < _count; i++)
        {
            var (ticks, units) = _entries[(_head + i) % _entries.Length];
            if (ticks + windowTicks > nowTicks)
            {
                oldest ??= ticks;
                used += units;
            }
        }

        return (used, oldest);
    }

    private void Push((long Ticks, decimal Units) entry)
    {
        if (_count == _entries.Length)
        {
            var grown = new (long, decimal)[_entries.Length * 2];
            for (var i = 0; i < _count; i++)
            {
                grown[i] = _entries[(_head + i) % _entries.Length];
            }

            (_entries, _head) = (grown, 0);
        }

        _entries[(_head + _count) % _entries.Length] = entry;
        _count++;
    }
}
