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

        // Without sweeping all 10,000 would remain; sweeps run every 4,096 operations.
        Assert.True(store.BudgetCount < 5000, $"{store.BudgetCount} budgets still held");
    }
}
