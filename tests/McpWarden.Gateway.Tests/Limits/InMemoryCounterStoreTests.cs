using McpWarden.Gateway.Limits;
using McpWarden.Policy.Evaluation;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Gateway.Tests.Limits;

public sealed class InMemoryCounterStoreTests : CounterStoreContract
{
    protected override ICounterStore CreateStore(TimeProvider time) => new InMemoryCounterStore(time);

    [Fact]
    public async Task Sweep_BudgetsThatEmptied_AreForgotten()
    {
        var store = new InMemoryCounterStore(Clock);
        var policy = Policies.Load("""{"version":"1","default":"deny","tools":{"t":{"limits":[{"counter":"c","window":"second","max":1,"scope":"session"}]}}}""");
        // Many short-lived sessions: their budgets must not pile up once their window has passed.
        for (var i = 0; i < 10_000; i++)
        {
            var decision = PolicyEvaluator.Evaluate(policy, Policies.Call("t", session: "s" + i), ToolSnapshot.Everything);
            Assert.True((await store.TryConsumeAsync(decision.Obligations, TestContext.Current.CancellationToken)).Admitted);
            Clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        // Without sweeping all 10,000 would remain; the sweep passes over the budgets as operations go by.
        Assert.True(store.BudgetCount < 5000, $"{store.BudgetCount} budgets still held");
    }

    [Fact]
    public async Task Sweep_WithManyLiveBudgets_DoesWorkInProportionToTheOperations_NotToTheBudgets()
    {
        var store = new InMemoryCounterStore(Clock);
        var policy = Policies.Load("""{"version":"1","default":"deny","tools":{"t":{"limits":[{"counter":"c","window":3600,"max":1000000,"scope":"session"}]}}}""");
        var obligations = Enumerable.Range(0, 40_000)
            .Select(i => PolicyEvaluator.Evaluate(policy, Policies.Call("t", session: "s" + i), ToolSnapshot.Everything).Obligations)
            .ToArray();
        foreach (var budget in obligations)
        {
            Assert.True((await store.TryConsumeAsync(budget, TestContext.Current.CancellationToken)).Admitted);
        }

        // 40,000 live budgets (nothing leaves an hour's window here): 8,192 more operations may look at a few budgets
        // each, never at all 40,000 of them again and again.
        var before = store.SweepVisits;
        for (var i = 0; i < 8_192; i++)
        {
            Assert.True((await store.TryConsumeAsync(obligations[i * 4], TestContext.Current.CancellationToken)).Admitted);
        }

        var visits = store.SweepVisits - before;
        Assert.True(visits <= 3 * 8_192, $"the sweep looked at {visits} budgets during 8,192 operations");
        Assert.Equal(40_000, store.BudgetCount);

        // Once their window has passed, every one of them is forgotten within a pass.
        Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        for (var i = 0; i < 40_000; i++)
        {
            Assert.True((await store.TryConsumeAsync(obligations[0], TestContext.Current.CancellationToken)).Admitted);
        }

        Assert.Equal(1, store.BudgetCount);
    }
}
