namespace McpWarden.Gateway.Time;

/// <summary>
/// A clock that moves only when told to: the virtual clock of policy test files, and the fake clock of
/// the test suites (which never sleep to move time). Its timers fire when <see cref="Advance"/> passes
/// their due time, so timeouts are tested without waiting for them.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now;
    private long _timestamp;

    public ManualTimeProvider(DateTimeOffset start) => _now = start;

    /// <summary>The instant every policy test case starts at.</summary>
    public static DateTimeOffset TestEpoch { get; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _timestamp;
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward and fires, in order, every timer that falls due on the way.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + by;
        }

        while (true)
        {
            ManualTimer? due;
            lock (_gate)
            {
                due = _timers.Where(t => t.DueAt <= target).MinBy(t => t.DueAt);
                // Time never runs backwards, even if a callback (or another thread) advanced it meanwhile.
                var until = due?.DueAt ?? target;
                if (until > _now)
                {
                    _timestamp += (until - _now).Ticks;
                    _now = until;
                }
                if (due is null)
                {
                    return;
                }

                due.Fired();
            }

            // Callbacks run outside the lock: they may create, change or dispose timers.
            due.Invoke();
        }
    }

    private sealed class ManualTimer(ManualTimeProvider clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        private bool _disposed;

        public DateTimeOffset DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if ((dueTime < TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan) || (period < TimeSpan.Zero && period != Timeout.InfiniteTimeSpan))
            {
                throw new ArgumentOutOfRangeException(nameof(dueTime), "a timer's due time and period are never negative");
            }

            lock (clock._gate)
            {
                if (_disposed)
                {
                    return false;
                }

                clock._timers.Remove(this);
                _period = period;
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    DueAt = clock._now + dueTime;
                    clock._timers.Add(this);
                }
            }

            return true;
        }

        /// <summary>Under the clock's lock: reschedules a periodic timer, forgets a one-shot one.</summary>
        public void Fired()
        {
            clock._timers.Remove(this);
            if (_period != Timeout.InfiniteTimeSpan && _period > TimeSpan.Zero)
            {
                DueAt += _period;
                clock._timers.Add(this);
            }
        }

        public void Invoke() => callback(state);

        public void Dispose()
        {
            lock (clock._gate)
            {
                _disposed = true;
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
