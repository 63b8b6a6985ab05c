using System.Threading.Channels;
using McpWarden.Gateway.Time;

namespace McpWarden.Gateway.Tests.Relay;

/// <summary>
/// A <see cref="ManualTimeProvider"/> that also reports every timer created on it, so a test can move time only
/// once the session is waiting on the timer it means to fire (and never race the session to it).
/// </summary>
internal sealed class TimerWatchingClock(ManualTimeProvider clock) : TimeProvider
{
    private readonly Channel<TimeSpan> _created = Channel.CreateUnbounded<TimeSpan>();

    public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

    public override long GetTimestamp() => clock.GetTimestamp();

    public override long TimestampFrequency => clock.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = clock.CreateTimer(callback, state, dueTime, period);
        _created.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits until a timer due after <paramref name="dueTime"/> has been created, then moves the clock past it.</summary>
    public async Task FireWhenWaitingAsync(TimeSpan dueTime, CancellationToken cancellationToken)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(TimeSpan.FromSeconds(10));
        while (await _created.Reader.ReadAsync(patience.Token) != dueTime)
        {
        }

        clock.Advance(dueTime);
    }
}
