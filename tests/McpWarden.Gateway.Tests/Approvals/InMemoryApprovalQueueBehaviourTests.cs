using McpWarden.Gateway.Approvals;
using McpWarden.Gateway.Time;
using Xunit;

namespace McpWarden.Gateway.Tests.Approvals;

public sealed class InMemoryApprovalQueueBehaviourTests
{
    private static readonly ApprovalBinding Binding = new("g1", "srv", "pay", new string('a', 64), "rev-1");

    private readonly ManualTimeProvider _clock = new(ManualTimeProvider.TestEpoch);
    private readonly InMemoryApprovalQueue _queue;

    public InMemoryApprovalQueueBehaviourTests() => _queue = new InMemoryApprovalQueue(_clock);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private ValueTask<Approval> SubmitAsync(string owner = "here/1/1", ApprovalBinding? binding = null) =>
        _queue.SubmitAsync(new ApprovalRequest(binding ?? Binding, "session", "{}", "/tools/pay", "held", TimeSpan.FromSeconds(60), owner), Token);

    [Fact]
    public async Task TryUseAsync_Twice_ReleasesOnlyOnce()
    {
        var approval = await SubmitAsync();
        await _queue.DecideAsync(approval.Id, true, null, "admin", Token);

        Assert.True(await _queue.TryUseAsync(approval.Id, Binding, Token));
        Assert.False(await _queue.TryUseAsync(approval.Id, Binding, Token));
        Assert.Equal(ApprovalState.Used, (await _queue.GetAsync(approval.Id, Token))!.State);
    }

    public static TheoryData<ApprovalBinding> OtherCalls => new()
    {
        Binding with { Grant = "g2" },
        Binding with { Server = "other" },
        Binding with { Tool = "refund" },
        Binding with { ArgumentsSha256 = new string('b', 64) },
        Binding with { PolicyRevision = "rev-2" },
    };

    [Theory]
    [MemberData(nameof(OtherCalls))]
    public async Task TryUseAsync_AnotherCall_IsRefusedAndTheApprovalStaysUnused(ApprovalBinding other)
    {
        var approval = await SubmitAsync();
        await _queue.DecideAsync(approval.Id, true, null, "admin", Token);

        Assert.False(await _queue.TryUseAsync(approval.Id, other, Token));
        Assert.True(await _queue.TryUseAsync(approval.Id, Binding, Token));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(null)]
    public async Task TryUseAsync_NotApproved_IsRefused(bool? approve)
    {
        var approval = await SubmitAsync();
        if (approve is { } decision)
        {
            await _queue.DecideAsync(approval.Id, decision, "no", "admin", Token);
        }

        Assert.False(await _queue.TryUseAsync(approval.Id, Binding, Token));
        Assert.False(await _queue.TryUseAsync("no-such-id", Binding, Token));
    }

    [Fact]
    public async Task DecideAsync_Twice_TheFirstDecisionStands()
    {
        var approval = await SubmitAsync();

        Assert.Equal(ApprovalDecisionResult.Decided, await _queue.DecideAsync(approval.Id, false, "no", "admin", Token));
        Assert.Equal(ApprovalDecisionResult.NotPending, await _queue.DecideAsync(approval.Id, true, null, "admin", Token));
        Assert.Equal(ApprovalDecisionResult.NotFound, await _queue.DecideAsync("no-such-id", true, null, "admin", Token));
        var ended = (await _queue.GetAsync(approval.Id, Token))!;
        Assert.Equal((ApprovalState.Denied, "no", "admin"), (ended.State, ended.Reason, ended.DecidedBy));
    }

    [Fact]
    public async Task DecideAsync_AtTheExpiry_IsRefusedAndTheApprovalTimedOut()
    {
        var approval = await SubmitAsync();
        _clock.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal(ApprovalDecisionResult.NotPending, await _queue.DecideAsync(approval.Id, true, null, "admin", Token));
        Assert.Equal(ApprovalState.TimedOut, (await _queue.WaitAsync(approval.Id, Token)).State);
        Assert.Single(await _queue.ListAsync(ApprovalState.TimedOut, Token));
    }

    [Fact]
    public async Task SubmitAsync_Ids_AreUnguessable()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 50; i++)
        {
            var approval = await SubmitAsync();
            Assert.Matches("^[0-9a-f]{32}$", approval.Id);
            Assert.True(ids.Add(approval.Id));
        }
    }

    [Fact]
    public async Task AbandonOrphansAsync_DeadOwner_AbandonsOnlyItsPendingApprovals()
    {
        var dead = "gone-host/999999/1";
        var orphan = await SubmitAsync(dead);
        var decided = await SubmitAsync(dead);
        await _queue.DecideAsync(decided.Id, true, null, "admin", Token);
        var alive = await SubmitAsync(GatewayInstance.Current);

        var abandoned = await _queue.AbandonOrphansAsync(owner => owner != dead, Token);

        Assert.Equal(1, abandoned);
        var ended = (await _queue.GetAsync(orphan.Id, Token))!;
        Assert.Equal((ApprovalState.Abandoned, "gateway"), (ended.State, ended.DecidedBy));
        Assert.Equal(ApprovalState.Approved, (await _queue.GetAsync(decided.Id, Token))!.State);
        Assert.Equal(ApprovalState.Pending, (await _queue.GetAsync(alive.Id, Token))!.State);

        // Never silently approved: a late approval of the orphan is refused.
        Assert.Equal(ApprovalDecisionResult.NotPending, await _queue.DecideAsync(orphan.Id, true, null, "admin", Token));
        Assert.False(await _queue.TryUseAsync(orphan.Id, Binding, Token));
    }

    [Fact]
    public async Task AbandonOrphansAsync_WithGatewayInstanceIsAlive_AbandonsAMadeUpPidOnThisMachine()
    {
        var madeUp = $"{Environment.MachineName}/{int.MaxValue}/638000000000000000";
        var orphan = await SubmitAsync(madeUp);
        var mine = await SubmitAsync(GatewayInstance.Current);

        Assert.Equal(1, await _queue.AbandonOrphansAsync(GatewayInstance.IsAlive, Token));
        Assert.Equal(ApprovalState.Abandoned, (await _queue.GetAsync(orphan.Id, Token))!.State);
        Assert.Equal(ApprovalState.Pending, (await _queue.GetAsync(mine.Id, Token))!.State);
    }

    [Fact]
    public async Task AbandonAsync_DecidedApproval_IsLeftAlone()
    {
        var approval = await SubmitAsync();
        await _queue.DecideAsync(approval.Id, true, null, "admin", Token);

        Assert.False(await _queue.AbandonAsync(approval.Id, "gone", Token));
        Assert.True(await _queue.TryUseAsync(approval.Id, Binding, Token));
    }
}
