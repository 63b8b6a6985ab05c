using McpWarden.Gateway.Limits;
using McpWarden.Gateway.Time;
using McpWarden.Policy.Compilation;
using McpWarden.Policy.Evaluation;
using Xunit;

namespace McpWarden.Testing;

/// <summary>
/// What every <see cref="ICounterStore"/> must do, whatever keeps the counts: each implementation's test
/// class derives from this and supplies <see cref="CreateStore"/>. Time moves only through the fake clock.
/// </summary>
public abstract class CounterStoreContract
{
    protected ManualTimeProvider Clock { get; } = new(ManualTimeProvider.TestEpoch);

    /// <summary>A fresh, empty store reading time from <paramref name="time"/>.</summary>
    protected abstract ICounterStore CreateStore(TimeProvider time);

    private static readonly CompiledPolicy Limits = Policies.Load("""
        {"version":"1","default":"deny","tools":{
          "ten":   {"limits":[{"counter":"ten","window":60,"max":10}]},
          "two":   {"limits":[{"counter":"ten","window":60,"max":10},{"counter":"three","window":60,"max":3}]},
          "spend": {"limits":[{"counter":"spend","window":"day","max":100,"cost":"amount"}]}
        }}
        """);

    private static IReadOnlyList<LimitObligation> Obligations(string tool, string arguments = "{}", string grant = "g1")
    {
        var decision = PolicyEvaluator.Evaluate(Limits, Policies.Call(tool, arguments, grant), ToolSnapshot.Everything);
        Assert.Equal(DecisionKind.Allow, decision.Kind);
        return decision.Obligations;
    }

    [Fact]
    public async Task TryConsume_UpToMax_AdmitsThenRefuses()
    {
        var store = CreateStore(Clock);
        for (var i = 0; i < 10; i++)
        {
            Assert.True((await store.TryConsumeAsync(Obligations("ten"), TestContext.Current.CancellationToken)).Admitted, $"call {i + 1} should be admitted");
        }

        var refused = await store.TryConsumeAsync(Obligations("ten"), TestContext.Current.CancellationToken);
        Assert.False(refused.Admitted);
        Assert.Equal("ten", refused.Blocking!.Limit.Counter);
        Assert.Equal(TimeSpan.FromSeconds(60), refused.RetryAfter);
    }

    [Fact]
    public async Task Admitted_ReportsTheFullestLimitCountingThisCall()
    {
        var store = CreateStore(Clock);

        var first = await store.TryConsumeAsync(Obligations("two"), TestContext.Current.CancellationToken);
        Assert.Equal(("three", 1m), (first.Fullest!.Value.Limit.Limit.Counter, first.Fullest.Value.Used));

        for (var i = 0; i < 3; i++)
        {
            await store.TryConsumeAsync(Obligations("ten"), TestContext.Current.CancellationToken);
        }

        // A check counts the call as if it were taken, and takes nothing.
        var check = await store.CheckAsync(Obligations("ten"), TestContext.Current.CancellationToken);
        Assert.Equal(("ten", 5m), (check.Fullest!.Value.Limit.Limit.Counter, check.Fullest.Value.Used));
        var consumed = await store.TryConsumeAsync(Obligations("ten"), TestContext.Current.CancellationToken);
        Assert.Equal(5m, consumed.Fullest!.Value.Used);
        Assert.Equal(0.5, consumed.Fullest.Value.Share, 6);

        var spent = await store.TryConsumeAsync(Obligations("spend", """{"amount":99.5}"""), TestContext.Current.CancellationToken);
        Assert.Equal(99.5m, spent.Fullest!.Value.Used);
        Assert.Null((await store.TryConsumeAsync(Obligations("spend", """{"amount":1}"""), TestContext.Current.CancellationToken)).Fullest);
    }

    [Fact]
    public async Task TryConsume_WindowSlides_FreesUnitsExactlyWhenTheyLeaveTheWindow()
    {
        var store = CreateStore(Clock);
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await store.TryConsumeAsync(Obligations("ten"), TestContext.Current.CancellationToken)).Admitted);
        }

        Clock.Advance(TimeSpan.FromSeconds(40));
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await store.TryConsumeAsync(Obligations("ten"), TestContext.Current.CancellationToken)).Admitted);
        }

        var refused = await store.TryConsumeAsync(Obligations("ten"), TestContext.Current.CancellationToken);
        Assert.Equal(TimeSpan.FromSeconds(20), refused.RetryAfter);

        Clock.Advance(TimeSpan.FromSeconds(19.999));
        Assert.False((await store.TryConsumeAsync(Obligations("ten"), TestContext.Current.CancellationToken)).Admitted);
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await store.TryConsumeAsync(Obligations("ten"), TestContext.Current.CancellationToken)).Admitted);
        }

        Assert.False((await store.TryConsumeAsync(Obligations("ten"), TestContext.Current.CancellationToken)).Admitted);
    }

    [Fact]
    public async Task TryConsume_OneLimitFull_ConsumesFromNone()
    {
        var store = CreateStore(Clock);
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await store.TryConsumeAsync(Obligations("two"), TestContext.Current.CancellationToken)).Admitted);
        }

        // "three" is full: these calls are refused and must not take units from the shared "ten".
        for (var i = 0; i < 20; i++)
        {
            var refused = await store.TryConsumeAsync(Obligations("two"), TestContext.Current.CancellationToken);
            Assert.Equal("three", refused.Blocking!.Limit.Counter);
        }

        for (var i = 0; i < 7; i++)
        {
            Assert.True((await store.TryConsumeAsync(Obligations("ten"), TestContext.Current.CancellationToken)).Admitted, $"shared counter call {i + 1} should fit");
        }

        Assert.False((await store.TryConsumeAsync(Obligations("ten"), TestContext.Current.CancellationToken)).Admitted);
    }

    [Fact]
    public async Task Check_DoesNotConsume()
    {
        var store = CreateStore(Clock);
        for (var i = 0; i < 50; i++)
        {
            Assert.True((await store.CheckAsync(Obligations("ten"), TestContext.Current.CancellationToken)).Admitted);
        }

        for (var i = 0; i < 10; i++)
        {
            Assert.True((await store.TryConsumeAsync(Obligations("ten"), TestContext.Current.CancellationToken)).Admitted);
        }

        Assert.False((await store.CheckAsync(Obligations("ten"), TestContext.Current.CancellationToken)).Admitted);
    }

    [Fact]
    public async Task TryConsume_Cost_CountsTheArgumentAndReportsWhenTheSpendFrees()
    {
        var store = CreateStore(Clock);
        Assert.True((await store.TryConsumeAsync(Obligations("spend", """{"amount": 60.5}"""), TestContext.Current.CancellationToken)).Admitted);
        Clock.Advance(TimeSpan.FromHours(1));
        Assert.True((await store.TryConsumeAsync(Obligations("spend", """{"amount": 39.5}"""), TestContext.Current.CancellationToken)).Admitted);
        var refused = await store.TryConsumeAsync(Obligations("spend", """{"amount": 0.01}"""), TestContext.Current.CancellationToken);
        Assert.False(refused.Admitted);
        Assert.Equal(TimeSpan.FromHours(23), refused.RetryAfter);
        Assert.True((await store.TryConsumeAsync(Obligations("spend", """{"amount": 0}"""), TestContext.Current.CancellationToken)).Admitted);
    }

    [Fact]
    public async Task TryConsume_CostAboveMax_NeverFits()
    {
        var store = CreateStore(Clock);
        var refused = await store.TryConsumeAsync(Obligations("spend", """{"amount": 100.01}"""), TestContext.Current.CancellationToken);
        Assert.False(refused.Admitted);
        Assert.Null(refused.RetryAfter);
    }

    [Fact]
    public async Task TryConsume_DifferentGrants_HaveSeparateBudgets()
    {
        var store = CreateStore(Clock);
        for (var i = 0; i < 10; i++)
        {
            Assert.True((await store.TryConsumeAsync(Obligations("ten", grant: "a"), TestContext.Current.CancellationToken)).Admitted);
        }

        Assert.False((await store.TryConsumeAsync(Obligations("ten", grant: "a"), TestContext.Current.CancellationToken)).Admitted);
        Assert.True((await store.TryConsumeAsync(Obligations("ten", grant: "b"), TestContext.Current.CancellationToken)).Admitted);
    }

    [Fact]
    public async Task TryConsume_ManyParallelCallers_NeverAdmitMoreThanMax()
    {
        var store = CreateStore(Clock);
        var admitted = 0;
        var obligations = Obligations("two");
        // 16 workers race 400 calls for a budget of 3 (and 10 shared): exactly 3 may win.
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                if ((await store.TryConsumeAsync(obligations, TestContext.Current.CancellationToken)).Admitted)
                {
                    Interlocked.Increment(ref admitted);
                }
            }
        })));

        Assert.Equal(3, admitted);
    }

    [Fact]
    public async Task TryConsume_ParallelCallersAcrossWindows_AdmitAtMostMaxInAnyWindow()
    {
        var store = CreateStore(Clock);
        var obligations = Obligations("ten");
        var admittedAt = new System.Collections.Concurrent.ConcurrentBag<DateTimeOffset>();
        // Eight rounds, 15 seconds apart; in each, 12 workers race 5 calls each while the clock stands.
        for (var round = 0; round < 8; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(async () =>
            {
                for (var i = 0; i < 5; i++)
                {
                    if ((await store.TryConsumeAsync(obligations, TestContext.Current.CancellationToken)).Admitted)
                    {
                        admittedAt.Add(Clock.GetUtcNow());
                    }
                }
            })));
            Clock.Advance(TimeSpan.FromSeconds(15));
        }

        var times = admittedAt.Order().ToArray();
        Assert.NotEmpty(times);
        foreach (var end in times)
        {
            var inWindow = times.Count(t => t > end - TimeSpan.FromSeconds(60) && t <= end);
            Assert.True(inWindow <= 10, $"{inWindow} units admitted in the minute ending {end:O}");
        }

        // The budget is used, not starved: every minute's worth of rounds fills it.
        Assert.Equal(20, times.Length);
    }

    [Fact]
    public async Task TryConsume_CostLargerThanAnyNumberCanAdd_IsRefusedNotThrown()
    {
        var store = CreateStore(Clock);
        Assert.True((await store.TryConsumeAsync(Obligations("spend", """{"amount": 1}"""), TestContext.Current.CancellationToken)).Admitted);
        var refused = await store.TryConsumeAsync(Obligations("spend", """{"amount": 79228162514264337593543950335}"""), TestContext.Current.CancellationToken);
        Assert.False(refused.Admitted);
        Assert.Null(refused.RetryAfter);
    }

    [Fact]
    public async Task Usage_EmptyStoreOrOnlyChecks_ListsNothing()
    {
        var store = CreateStore(Clock);
        Assert.Empty(await store.UsageAsync(TestContext.Current.CancellationToken));
        Assert.True((await store.CheckAsync(Obligations("ten"), TestContext.Current.CancellationToken)).Admitted);
        Assert.True((await store.TryConsumeAsync(Obligations("spend", """{"amount": 0}"""), TestContext.Current.CancellationToken)).Admitted);
        Assert.Empty(await store.UsageAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Usage_ListsEveryBudgetInUse_WithItsUnitsWindowAndWhenItsOldestUnitsFree()
    {
        var store = CreateStore(Clock);
        var start = Clock.GetUtcNow();
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await store.TryConsumeAsync(Obligations("two"), TestContext.Current.CancellationToken)).Admitted);
        }

        Assert.True((await store.TryConsumeAsync(Obligations("ten", grant: "g2"), TestContext.Current.CancellationToken)).Admitted);
        Assert.True((await store.TryConsumeAsync(Obligations("spend", """{"amount": 12.25}"""), TestContext.Current.CancellationToken)).Admitted);
        // Refused calls take nothing, so they change nothing the usage shows.
        Assert.False((await store.TryConsumeAsync(Obligations("two"), TestContext.Current.CancellationToken)).Admitted);

        var minute = TimeSpan.FromSeconds(60);
        CounterUsage[] expected =
        [
            new(Key("ten", "g1"), 3, minute, start + minute),
            new(Key("three", "g1"), 3, minute, start + minute),
            new(Key("spend", "g1"), 12.25m, TimeSpan.FromDays(1), start + TimeSpan.FromDays(1)),
            new(Key("ten", "g2"), 1, minute, start + minute),
        ];

        // In key order.
        Assert.Equal(expected.OrderBy(u => u.Key, StringComparer.Ordinal), await store.UsageAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Usage_AsTheWindowSlides_DropsUnitsThatLeftItAndFinallyTheBudget()
    {
        var store = CreateStore(Clock);
        var start = Clock.GetUtcNow();
        Assert.True((await store.TryConsumeAsync(Obligations("ten"), TestContext.Current.CancellationToken)).Admitted);
        Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True((await store.TryConsumeAsync(Obligations("ten"), TestContext.Current.CancellationToken)).Admitted);
        Assert.True((await store.TryConsumeAsync(Obligations("ten"), TestContext.Current.CancellationToken)).Admitted);

        var both = Assert.Single(await store.UsageAsync(TestContext.Current.CancellationToken));
        Assert.Equal((3m, start + TimeSpan.FromSeconds(60)), (both.Used, both.NextFreeAt));

        Clock.Advance(TimeSpan.FromSeconds(30));
        var later = Assert.Single(await store.UsageAsync(TestContext.Current.CancellationToken));
        Assert.Equal((2m, start + TimeSpan.FromSeconds(90)), (later.Used, later.NextFreeAt));

        Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Empty(await store.UsageAsync(TestContext.Current.CancellationToken));
        // Reading usage freed nothing early and took nothing: the budget is whole again.
        for (var i = 0; i < 10; i++)
        {
            Assert.True((await store.TryConsumeAsync(Obligations("ten"), TestContext.Current.CancellationToken)).Admitted);
        }
    }

    private static string Key(string counter, string grant) => new BudgetKey(Policy.Definitions.LimitScope.Grant, "srv", grant, counter, null).Text;
}
