using McpWarden.Gateway.Enforcement;
using McpWarden.Gateway.Limits;
using McpWarden.Gateway.Storage;
using McpWarden.Gateway.Time;
using McpWarden.Policy.Evaluation;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Gateway.Tests.Enforcement;

public sealed class ToolCallEnforcerTests
{
    private readonly ManualTimeProvider _clock = new(ManualTimeProvider.TestEpoch);
    private readonly ToolCallEnforcer _enforcer;

    public ToolCallEnforcerTests() => _enforcer = new ToolCallEnforcer(new InMemoryCounterStore(_clock));

    private static readonly Policy.Compilation.CompiledPolicy Policy = Policies.Load("""
        {"version":"1","default":"deny","tools":{
          "pay":  {"action":"approve","reason":"payments need a person","limits":[{"counter":"pay","window":"minute","max":2}]},
          "run":  {"reason":"runs are capped","rate_limit":{"max":1,"window":60}}
        }}
        """);

    [Fact]
    public async Task Decide_HeldCall_IsCheckedButConsumesNothingUntilApproved()
    {
        for (var i = 0; i < 5; i++)
        {
            var held = await _enforcer.DecideAsync(Policy, Policies.Call("pay"), ToolSnapshot.Everything, TestContext.Current.CancellationToken);
            Assert.Equal(DecisionKind.Approve, held.Kind);
        }

        var first = await _enforcer.DecideAsync(Policy, Policies.Call("pay"), ToolSnapshot.Everything, TestContext.Current.CancellationToken);
        var approved = await _enforcer.ConsumeApprovedAsync(first, "default", TestContext.Current.CancellationToken);
        Assert.Equal((DecisionKind.Allow, ReasonCodes.Approved), (approved.Kind, approved.Code));
        Assert.True((await _enforcer.ConsumeApprovedAsync(first, "default", TestContext.Current.CancellationToken)).IsAllowed);

        // The budget filled while the calls waited: approval does not override it.
        var late = await _enforcer.ConsumeApprovedAsync(first, "default", TestContext.Current.CancellationToken);
        Assert.Equal(ReasonCodes.RateLimited, late.Code);
        var next = await _enforcer.DecideAsync(Policy, Policies.Call("pay"), ToolSnapshot.Everything, TestContext.Current.CancellationToken);
        Assert.Equal(ReasonCodes.RateLimited, next.Code);
    }

    [Fact]
    public async Task Decide_RateLimited_CarriesRuleReasonCounterAndRetryAfter()
    {
        Assert.True((await _enforcer.DecideAsync(Policy, Policies.Call("run"), ToolSnapshot.Everything, TestContext.Current.CancellationToken)).IsAllowed);
        _clock.Advance(TimeSpan.FromSeconds(15));
        var refused = await _enforcer.DecideAsync(Policy, Policies.Call("run"), ToolSnapshot.Everything, TestContext.Current.CancellationToken);

        Assert.Equal(DecisionKind.Deny, refused.Kind);
        Assert.Equal(ReasonCodes.RateLimited, refused.Code);
        Assert.Equal("/tools/run/rate_limit", refused.RulePath);
        Assert.Equal(TimeSpan.FromSeconds(45), refused.RetryAfter);
        Assert.StartsWith("runs are capped (rate limit reached: counter \"run_rate\" allows 1 per 60s (scope grant); retry after 45s", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Decide_StoreThatFailsOtherwiseThanUnreachable_RefusesTheCallEvenFailingOpen(bool failOpen)
    {
        var enforcer = new ToolCallEnforcer(new FailingCounterStore(new InvalidOperationException("script error")), failOpen);
        var decision = await enforcer.DecideAsync(Policy, Policies.Call("run"), ToolSnapshot.Everything, TestContext.Current.CancellationToken);
        Assert.Equal((DecisionKind.Deny, ReasonCodes.EvaluationError), (decision.Kind, decision.Code));
        Assert.Contains("script error", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decide_StoreUnreachable_RefusesAsStoreUnavailableNamingWhy()
    {
        var enforcer = new ToolCallEnforcer(new FailingCounterStore(new StoreUnavailableException("Redis at 10.0.0.5:6379 is unavailable")));
        var decision = await enforcer.DecideAsync(Policy, Policies.Call("run"), ToolSnapshot.Everything, TestContext.Current.CancellationToken);
        Assert.Equal((DecisionKind.Deny, ReasonCodes.StoreUnavailable, "/tools/run"), (decision.Kind, decision.Code, decision.RulePath));
        Assert.Contains("Redis at 10.0.0.5:6379 is unavailable", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decide_StoreUnreachableFailingOpen_LetsAnAllowedCallThroughMarkedUnchecked()
    {
        var enforcer = new ToolCallEnforcer(new FailingCounterStore(new StoreUnavailableException("Redis down")), failOpen: true);
        var decision = await enforcer.DecideAsync(Policy, Policies.Call("run"), ToolSnapshot.Everything, TestContext.Current.CancellationToken);
        Assert.Equal((DecisionKind.Allow, ReasonCodes.AllowedUnchecked, "/tools/run"), (decision.Kind, decision.Code, decision.RulePath));
        Assert.Contains("limits unchecked: Redis down", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decide_StoreUnreachableFailingOpen_StillHoldsACallForAPerson_AndAnApprovedOneGoesOnUnchecked()
    {
        var enforcer = new ToolCallEnforcer(new FailingCounterStore(new StoreUnavailableException("Redis down")), failOpen: true);
        var held = await enforcer.DecideAsync(Policy, Policies.Call("pay"), ToolSnapshot.Everything, TestContext.Current.CancellationToken);
        Assert.Equal((DecisionKind.Approve, ReasonCodes.ApprovalRequired), (held.Kind, held.Code));

        var approved = await enforcer.ConsumeApprovedAsync(held, "default", TestContext.Current.CancellationToken);
        Assert.Equal((DecisionKind.Allow, ReasonCodes.AllowedUnchecked), (approved.Kind, approved.Code));
        Assert.StartsWith("approved by a person, with its limits unchecked", approved.Message, StringComparison.Ordinal);

        var closed = new ToolCallEnforcer(new FailingCounterStore(new StoreUnavailableException("Redis down")));
        Assert.Equal(ReasonCodes.StoreUnavailable, (await closed.DecideAsync(Policy, Policies.Call("pay"), ToolSnapshot.Everything, TestContext.Current.CancellationToken)).Code);
        Assert.Equal(ReasonCodes.StoreUnavailable, (await closed.ConsumeApprovedAsync(held, "default", TestContext.Current.CancellationToken)).Code);
    }

    /// <summary>Isolation only: a store whose every call fails with one exception, as an unreachable or broken one would.</summary>
    private sealed class FailingCounterStore(Exception failure) : ICounterStore
    {
        public ValueTask<CounterOutcome> TryConsumeAsync(IReadOnlyList<LimitObligation> obligations, CancellationToken cancellationToken = default) =>
            throw failure;

        public ValueTask<CounterOutcome> CheckAsync(IReadOnlyList<LimitObligation> obligations, CancellationToken cancellationToken = default) =>
            throw failure;

        public ValueTask<IReadOnlyList<CounterUsage>> UsageAsync(CancellationToken cancellationToken = default) =>
            throw failure;
    }
}
