using McpWarden.Gateway.Limits;
using McpWarden.Gateway.Storage;
using McpWarden.Gateway.Time;
using McpWarden.Testing;
using StackExchange.Redis;
using Xunit;

namespace McpWarden.Storage.Redis.Tests.Limits;

/// <summary>What the counter store leaves in Redis, and how it runs its script: keys that expire, bounded logs, one script run per call.</summary>
public sealed class RedisCounterStoreKeysTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private static readonly DateTimeOffset Start = ManualTimeProvider.TestEpoch;

    private readonly List<RedisStore> _stores = [];
    private RedisAdmin? _admin;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private RedisAdmin Admin => _admin!;

    public async ValueTask InitializeAsync() => _admin = await RedisAdmin.ConnectAsync(redis.Server.Endpoint);

    [Fact]
    public async Task TryConsume_BudgetKeys_ExpireAMinuteAfterTheirNewestUnitsLeaveTheWindow()
    {
        var clock = new ManualTimeProvider(Start);
        var (counters, prefix) = await OpenAsync(clock);
        var policy = Budgets.Spend("100");
        Assert.True((await counters.TryConsumeAsync(Budgets.Obligations(policy, "call"), Cancellation)).Admitted);
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True((await counters.TryConsumeAsync(Budgets.Obligations(policy, "call"), Cancellation)).Admitted);
        Assert.True((await counters.TryConsumeAsync(Budgets.Pay(policy, "5"), Cancellation)).Admitted);

        var keys = await Admin.KeysAsync(prefix);
        Assert.Equal(4, keys.Length);
        foreach (var key in keys)
        {
            // The newest units leave the window 60 s (a day for the spend) from now; the keys a minute later.
            var expected = key.Contains(":spend", StringComparison.Ordinal) ? TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1) : TimeSpan.FromMinutes(2);
            var ttl = await Admin.Database.KeyTimeToLiveAsync(key);
            Assert.True(ttl is { } left && left <= expected && left > expected - TimeSpan.FromSeconds(10), $"{key} expires in {ttl}, expected about {expected}");
        }
    }

    [Fact]
    public async Task TryConsume_EverythingLeftTheWindow_DeletesTheBudgetsKeys()
    {
        var clock = new ManualTimeProvider(Start);
        var (counters, prefix) = await OpenAsync(clock);
        var policy = Budgets.Spend("100");
        Assert.True((await counters.TryConsumeAsync(Budgets.Pay(policy, "5"), Cancellation)).Admitted);
        Assert.Equal(2, (await Admin.KeysAsync(prefix)).Length);

        clock.Advance(TimeSpan.FromDays(1));
        Assert.True((await counters.TryConsumeAsync(Budgets.Pay(policy, "0"), Cancellation)).Admitted);
        Assert.Empty(await Admin.KeysAsync(prefix));
    }

    [Fact]
    public async Task CheckAndZeroUnitConsumes_WriteNothing()
    {
        var (counters, prefix) = await OpenAsync(new ManualTimeProvider(Start));
        var policy = Budgets.Spend("100");
        Assert.True((await counters.CheckAsync(Budgets.Obligations(policy, "call"), Cancellation)).Admitted);
        Assert.True((await counters.CheckAsync(Budgets.Pay(policy, "50"), Cancellation)).Admitted);
        Assert.True((await counters.TryConsumeAsync(Budgets.Pay(policy, "0"), Cancellation)).Admitted);
        Assert.Empty(await Admin.KeysAsync(prefix));
    }

    [Fact]
    public async Task TryConsumeAndCheck_RunOneScriptPerCall()
    {
        var (counters, _) = await OpenAsync(new ManualTimeProvider(Start));
        var policy = Policies.Load("""
            {"version":"1","default":"deny","tools":{"two":{"limits":[
              {"counter":"ten","window":60,"max":10},{"counter":"three","window":60,"max":3,"scope":"global"}]}}}
            """);
        var obligations = Budgets.Obligations(policy, "two");
        Assert.True((await counters.TryConsumeAsync(obligations, Cancellation)).Admitted);

        var before = await Admin.ScriptCallsAsync();
        var admitted = 0;
        for (var i = 0; i < 20; i++)
        {
            admitted += (await counters.TryConsumeAsync(obligations, Cancellation)).Admitted ? 1 : 0;
            await counters.CheckAsync(obligations, Cancellation);
        }

        var after = await Admin.ScriptCallsAsync();
        Assert.Equal(2, admitted);
        Assert.Equal((40L, 0L), (after.Calls - before.Calls, after.Failed - before.Failed));
    }

    [Fact]
    public async Task TryConsume_ServerForgotTheScript_SendsItWholeAndRunsItOnce()
    {
        var (counters, _) = await OpenAsync(new ManualTimeProvider(Start));
        var policy = Budgets.Spend("2");
        Assert.True((await counters.TryConsumeAsync(Budgets.Obligations(policy, "call"), Cancellation)).Admitted);

        await Admin.Server.ScriptFlushAsync();
        var before = await Admin.ScriptCallsAsync();
        Assert.True((await counters.TryConsumeAsync(Budgets.Obligations(policy, "call"), Cancellation)).Admitted);
        var flushed = await Admin.ScriptCallsAsync();
        Assert.False((await counters.TryConsumeAsync(Budgets.Obligations(policy, "call"), Cancellation)).Admitted);
        var after = await Admin.ScriptCallsAsync();

        // EVALSHA answered NOSCRIPT (a failed call that ran nothing), then EVAL ran it; after that, EVALSHA again.
        Assert.Equal((2L, 1L), (flushed.Calls - before.Calls, flushed.Failed - before.Failed));
        Assert.Equal((1L, 0L), (after.Calls - flushed.Calls, after.Failed - flushed.Failed));
    }

    [Fact]
    public async Task TryConsume_BudgetDataBroken_SurfacesTheRedisErrorNotUnavailability()
    {
        var (counters, prefix) = await OpenAsync(new ManualTimeProvider(Start));
        var policy = Budgets.Spend("100");
        Assert.True((await counters.TryConsumeAsync(Budgets.Pay(policy, "1"), Cancellation)).Admitted);
        var log = Assert.Single(await Admin.KeysAsync(prefix), k => k.Contains("budget-log:", StringComparison.Ordinal));

        await Admin.Database.ListRightPushAsync(log, "not an entry");
        var unreadable = await Assert.ThrowsAsync<RedisServerException>(async () => await counters.TryConsumeAsync(Budgets.Pay(policy, "1"), Cancellation));
        Assert.Contains("unreadable log entry", unreadable.Message, StringComparison.Ordinal);

        await Admin.Database.KeyDeleteAsync(log);
        await Admin.Database.StringSetAsync(log, "a string, not a list");
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () => await counters.TryConsumeAsync(Budgets.Pay(policy, "1"), Cancellation));
        Assert.IsNotType<StoreUnavailableException>(failure);
        Assert.Contains("WRONGTYPE", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryConsume_OneBudgetTwiceInACall_CountsTwiceAndChecksBothTogether()
    {
        var (counters, _) = await OpenAsync(new ManualTimeProvider(Start));
        var call = Budgets.Obligations(Budgets.Spend("10"), "call")[0];
        for (var i = 0; i < 4; i++)
        {
            Assert.True((await counters.TryConsumeAsync([call, call], Cancellation)).Admitted);
        }

        // 8 used: the second obligation sees the first one's unit, so the pair fills the budget exactly.
        var filled = await counters.TryConsumeAsync([call, call], Cancellation);
        Assert.Equal(10m, filled.Fullest!.Value.Used);
        Assert.False((await counters.TryConsumeAsync([call], Cancellation)).Admitted);

        var usage = Assert.Single(await counters.UsageAsync(Cancellation));
        Assert.Equal(10m, usage.Used);
    }

    [Fact]
    public async Task TryConsume_OneBudgetTwiceInACall_RefusedWhenOnlyOneFits()
    {
        var (counters, _) = await OpenAsync(new ManualTimeProvider(Start));
        var call = Budgets.Obligations(Budgets.Spend("3"), "call")[0];
        Assert.True((await counters.TryConsumeAsync([call, call], Cancellation)).Admitted);

        var refused = await counters.TryConsumeAsync([call, call], Cancellation);
        Assert.False(refused.Admitted);
        Assert.Equal(TimeSpan.FromSeconds(60), refused.RetryAfter);
        // Refused calls take nothing: the one unit left is still there.
        Assert.True((await counters.TryConsumeAsync([call], Cancellation)).Admitted);
    }

    [Fact]
    public async Task TryConsume_ClockStepsBack_UnitsLeaveTheWindowNoEarlier()
    {
        var clock = new SettableClock(Start);
        var (counters, _) = await OpenAsync(clock);
        var calls = Budgets.Obligations(Budgets.Spend("10"), "call");
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await counters.TryConsumeAsync(calls, Cancellation)).Admitted);
        }

        // Stepped back 30 s: these units are stamped with the latest time seen, so they too count until Start + 60 s.
        clock.Now = Start - TimeSpan.FromSeconds(30);
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await counters.TryConsumeAsync(calls, Cancellation)).Admitted);
        }

        Assert.Equal(TimeSpan.FromSeconds(90), (await counters.TryConsumeAsync(calls, Cancellation)).RetryAfter);
        clock.Now = Start + TimeSpan.FromSeconds(59.999);
        Assert.False((await counters.TryConsumeAsync(calls, Cancellation)).Admitted);
        clock.Now = Start + TimeSpan.FromSeconds(60);
        for (var i = 0; i < 10; i++)
        {
            Assert.True((await counters.TryConsumeAsync(calls, Cancellation)).Admitted);
        }
    }

    [Fact]
    public async Task TryConsume_CallsEveryFewMilliseconds_KeepAboutAThousandEntriesPerWindow()
    {
        var clock = new ManualTimeProvider(Start);
        var (counters, prefix) = await OpenAsync(clock);
        var calls = Budgets.Obligations(Budgets.Spend("100000"), "call");
        // Two windows' worth of calls, one every 20 ms: 6,000 calls, far more than a window's 1,024 slots.
        for (var i = 0; i < 6000; i++)
        {
            Assert.True((await counters.TryConsumeAsync(calls, Cancellation)).Admitted);
            clock.Advance(TimeSpan.FromMilliseconds(20));
        }

        var log = Assert.Single(await Admin.KeysAsync(prefix), k => k.Contains("budget-log:", StringComparison.Ordinal));
        var entries = await Admin.Database.ListLengthAsync(log);
        Assert.InRange(entries, 900, SlidingWindowLogEntries + 1);
        // Units merged into an entry leave the window at most 1/1024 of it late: the last minute held 3,000 calls.
        Assert.InRange(Assert.Single(await counters.UsageAsync(Cancellation)).Used, 3000m, 3000m + 4m);
    }

    [Fact]
    public async Task Usage_ManyBudgets_ListsEveryOneInKeyOrderAcrossScanPages()
    {
        var (counters, _) = await OpenAsync(new ManualTimeProvider(Start));
        var policy = Budgets.Spend("100");
        var grants = Enumerable.Range(0, 600).Select(i => $"grant-{i}").ToArray();
        await Task.WhenAll(grants.Select(async grant => Assert.True((await counters.TryConsumeAsync(Budgets.Obligations(policy, "call", grant: grant), Cancellation)).Admitted)));

        var usage = await counters.UsageAsync(Cancellation);
        Assert.Equal(600, usage.Count);
        Assert.Equal(usage.Select(u => u.Key).Order(StringComparer.Ordinal), usage.Select(u => u.Key));
        Assert.All(usage, u => Assert.Equal((1m, TimeSpan.FromSeconds(60), Start + TimeSpan.FromSeconds(60)), (u.Used, u.Window, u.NextFreeAt)));
    }

    [Fact]
    public async Task Usage_PrefixWithGlobCharacters_ListsOnlyItsOwnBudgets()
    {
        var options = redis.FreshOptions();
        var clock = new ManualTimeProvider(Start);
        var starred = await OpenAsync(options with { KeyPrefix = options.KeyPrefix + "glob*:" }, clock);
        var other = await OpenAsync(options with { KeyPrefix = options.KeyPrefix + "globby:" }, clock);
        var policy = Budgets.Spend("100");
        Assert.True((await other.TryConsumeAsync(Budgets.Obligations(policy, "call"), Cancellation)).Admitted);

        // "glob*:budget:*" unescaped would match "globby:budget:…".
        Assert.Empty(await starred.UsageAsync(Cancellation));
        Assert.Single(await other.UsageAsync(Cancellation));
    }

    public ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        _admin?.Dispose();
        return ValueTask.CompletedTask;
    }

    private const int SlidingWindowLogEntries = Policy.Limits.SlidingWindowLog.EntriesPerWindow;

    private async Task<(ICounterStore Counters, string Prefix)> OpenAsync(TimeProvider clock)
    {
        var options = redis.FreshOptions();
        return (await OpenAsync(options, clock), options.KeyPrefix);
    }

    private async Task<ICounterStore> OpenAsync(RedisStoreOptions options, TimeProvider clock)
    {
        var store = await RedisStore.OpenAsync(options, clock);
        _stores.Add(store);
        return store.Counters;
    }
}
