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
        log.Add(At(10), Window, 1);
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
        log.Add(At(0), Window, 4);
        log.Add(At(20), Window, 4);
        log.Add(At(40), Window, 2);
        // 10 of 10 used; 5 more need the first two entries (8 units) gone: at 80s.
        Assert.Equal(TimeSpan.FromSeconds(30), log.RetryAfter(At(50), Window, 5, 10));
        Assert.Equal(TimeSpan.FromSeconds(10), log.RetryAfter(At(50), Window, 4, 10));
        Assert.Null(log.RetryAfter(At(50), Window, 11, 10));
    }

    [Fact]
    public void Add_ZeroUnits_LeavesNoTrace()
    {
        var log = new SlidingWindowLog();
        log.Add(At(0), Window, 0);
        Assert.True(log.IsEmpty);
    }

    [Fact]
    public void Add_ClockSteppingBack_NeverExpiresEarly()
    {
        var log = new SlidingWindowLog();
        log.Add(At(100), Window, 1);
        log.Add(At(50), Window, 1);
        log.Expire(At(155), Window);
        Assert.Equal(2, log.Used);
        log.Expire(At(160), Window);
        Assert.Equal(0, log.Used);
    }

    [Fact]
    public void Add_ManyCallsInOneWindow_KeepTheLogBoundedAndNeverFreeUnitsEarly()
    {
        var log = new SlidingWindowLog();
        // 100,000 tiny costs spread over one minute: at most about 1,024 entries may be kept.
        for (var i = 0; i < 100_000; i++)
        {
            var now = TimeSpan.FromMilliseconds(i * 0.6).Ticks;
            log.Expire(now, Window);
            Assert.True(log.HasRoom(0.001m, 1000m));
            log.Add(now, Window, 0.001m);
        }

        Assert.InRange(log.EntryCount, 1, SlidingWindowLog.EntriesPerWindow + 1);
        Assert.Equal(100m, log.Used);

        // A unit admitted at 0 may only leave the window at 60s or later, never before.
        log.Expire(At(59.999), Window);
        Assert.Equal(100m, log.Used);
    }

    [Fact]
    public void HasRoom_HugeUnits_AnswerWithoutOverflowing()
    {
        var log = new SlidingWindowLog();
        log.Add(At(0), Window, 1);
        Assert.False(log.HasRoom(decimal.MaxValue, 100));
        Assert.Null(log.RetryAfter(At(0), Window, decimal.MaxValue, 100));
        Assert.True(log.HasRoom(decimal.MaxValue - 1, decimal.MaxValue));
    }

    [Fact]
    public void Expire_EmptiedLog_IsExactlyZero()
    {
        var log = new SlidingWindowLog();
        log.Add(At(0), Window, 0.1m);
        log.Add(At(30), Window, 0.2m);
        log.Expire(At(100), Window);
        Assert.Equal(0m, log.Used);
    }
}
