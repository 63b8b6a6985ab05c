using McpWarden.Policy.Limits;
using Xunit;

namespace McpWarden.Policy.Tests.Limits;

public sealed class SlidingWindowLogTests
{
    private static readonly long Window = TimeSpan.FromSeconds(60).Ticks;

    private static long At(double seconds) => TimeSpan.FromSeconds(seconds).Ticks;

    [Fact]
    public void Expire_UnitLeavesExactlyOneWindowAfterItWasAdmitted()
    {
        var log = new SlidingWindowLog();
        log.Add(At(10), 1);
        log.Expire(At(69.9999), Window);
        Assert.Equal(1, log.Used);
        log.Expire(At(70), Window);
        Assert.Equal(0, log.Used);
        Assert.True(log.IsEmpty);
    }

    [Fact]
    public void RetryAfter_WaitsForEnoughUnitsToLeave()
    {
        var log = new SlidingWindowLog();
        log.Add(At(0), 4);
        log.Add(At(20), 4);
        log.Add(At(40), 2);
        // 10 of 10 used; 5 more need the first two entries (8 units) gone: at 80s.
        Assert.Equal(TimeSpan.FromSeconds(30), log.RetryAfter(At(50), Window, 5, 10));
        Assert.Equal(TimeSpan.FromSeconds(10), log.RetryAfter(At(50), Window, 4, 10));
        Assert.Null(log.RetryAfter(At(50), Window, 11, 10));
    }

    [Fact]
    public void Add_ZeroUnits_LeavesNoTrace()
    {
        var log = new SlidingWindowLog();
        log.Add(At(0), 0);
        Assert.True(log.IsEmpty);
    }

    [Fact]
    public void Add_ClockSteppingBack_NeverExpiresEarly()
    {
        var log = new SlidingWindowLog();
        log.Add(At(100), 1);
        log.Add(At(50), 1);
        log.Expire(At(155), Window);
        Assert.Equal(2, log.Used);
        log.Expire(At(160), Window);
        Assert.Equal(0, log.Used);
    }
}
