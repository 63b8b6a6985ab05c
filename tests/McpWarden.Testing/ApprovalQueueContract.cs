using McpWarden.Gateway.Approvals;
using McpWarden.Gateway.Time;
using Xunit;

namespace McpWarden.Testing;

/// <summary>
/// What every <see cref="IApprovalQueue"/> must do, whatever keeps the approvals: each implementation's
/// test class derives from this and supplies <see cref="CreateQueue"/>. Time moves only through the fake clock.
/// </summary>
public abstract class ApprovalQueueContract
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    protected static readonly ApprovalBinding Binding = new("g1", "pay", "stk_push", new string('a', 64), "rev-1");

    protected ManualTimeProvider Clock { get; } = new(ManualTimeProvider.TestEpoch);

    /// <summary>A fresh, empty queue reading time from <paramref name="time"/>.</summary>
    protected abstract IApprovalQueue CreateQueue(TimeProvider time);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    protected static ApprovalRequest Request(string owner = "host/1/1", ApprovalBinding? binding = null, TimeSpan? timeout = null) =>
        new(binding ?? Binding, "session-1", """{"amount":100,"phone":"2547***"}""", "$.tools.stk_push", "payments need a person", timeout ?? Timeout, owner);

    [Fact]
    public async Task Submit_NewRequest_IsPendingUnderAnUnguessableId()
    {
        var queue = CreateQueue(Clock);
        var approval = await queue.SubmitAsync(Request(), Cancellation);
        var other = await queue.SubmitAsync(Request(), Cancellation);

        Assert.Matches("^[0-9a-f]{32}$", approval.Id);
        Assert.NotEqual(approval.Id, other.Id);
        Assert.Equal(ApprovalState.Pending, approval.State);
        Assert.False(approval.IsDecided);
        Assert.Equal((Clock.GetUtcNow(), Clock.GetUtcNow() + Timeout), (approval.CreatedAt, approval.ExpiresAt));
        Assert.Equal(
            (Binding, "session-1", """{"amount":100,"phone":"2547***"}""", "$.tools.stk_push", "payments need a person", "host/1/1"),
            (approval.Binding, approval.Session, approval.Arguments, approval.RulePath, approval.Message, approval.Owner));
        Assert.Equal(approval, await queue.GetAsync(approval.Id, Cancellation));
    }

    [Fact]
    public async Task Get_UnknownId_ReturnsNull()
    {
        var queue = CreateQueue(Clock);
        Assert.Null(await queue.GetAsync("0123456789abcdef0123456789abcdef", Cancellation));
    }

    [Theory]
    [InlineData(true, ApprovalState.Approved)]
    [InlineData(false, ApprovalState.Denied)]
    public async Task Decide_Pending_RecordsTheDecision(bool approve, ApprovalState expected)
    {
        var queue = CreateQueue(Clock);
        var approval = await queue.SubmitAsync(Request(), Cancellation);
        Clock.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(ApprovalDecisionResult.Decided, await queue.DecideAsync(approval.Id, approve, "checked the number", "admin", Cancellation));

        var decided = await queue.GetAsync(approval.Id, Cancellation);
        Assert.Equal(
            approval with { State = expected, DecidedAt = Clock.GetUtcNow(), DecidedBy = "admin", Reason = "checked the number" },
            decided);
        Assert.True(decided!.IsDecided);
    }

    [Fact]
    public async Task Decide_Twice_SecondIsNotPendingAndChangesNothing()
    {
        var queue = CreateQueue(Clock);
        var approval = await queue.SubmitAsync(Request(), Cancellation);

        Assert.Equal(ApprovalDecisionResult.Decided, await queue.DecideAsync(approval.Id, false, null, "client", Cancellation));
        Assert.Equal(ApprovalDecisionResult.NotPending, await queue.DecideAsync(approval.Id, true, "changed my mind", "admin", Cancellation));

        var decided = await queue.GetAsync(approval.Id, Cancellation);
        Assert.Equal((ApprovalState.Denied, "client", null), (decided!.State, decided.DecidedBy, decided.Reason));
    }

    [Fact]
    public async Task Decide_UnknownId_IsNotFound()
    {
        var queue = CreateQueue(Clock);
        Assert.Equal(ApprovalDecisionResult.NotFound, await queue.DecideAsync("0123456789abcdef0123456789abcdef", true, null, "admin", Cancellation));
    }

    [Fact]
    public async Task Decide_AtExpiry_IsRefusedAndTheApprovalTimedOut()
    {
        var queue = CreateQueue(Clock);
        var approval = await queue.SubmitAsync(Request(), Cancellation);
        Clock.Advance(Timeout);

        Assert.Equal(ApprovalDecisionResult.NotPending, await queue.DecideAsync(approval.Id, true, null, "admin", Cancellation));
        var ended = await queue.GetAsync(approval.Id, Cancellation);
        Assert.Equal((ApprovalState.TimedOut, "gateway"), (ended!.State, ended.DecidedBy));
        Assert.False(await queue.TryUseAsync(approval.Id, Binding, Cancellation));
    }

    [Fact]
    public async Task Decide_JustBeforeExpiry_IsTaken()
    {
        var queue = CreateQueue(Clock);
        var approval = await queue.SubmitAsync(Request(), Cancellation);
        Clock.Advance(Timeout - TimeSpan.FromTicks(1));

        Assert.Equal(ApprovalDecisionResult.Decided, await queue.DecideAsync(approval.Id, true, null, "admin", Cancellation));
    }

    [Fact]
    public async Task Get_PastExpiry_ReportsTimedOut()
    {
        var queue = CreateQueue(Clock);
        var approval = await queue.SubmitAsync(Request(), Cancellation);
        Clock.Advance(Timeout + TimeSpan.FromSeconds(1));

        var ended = await queue.GetAsync(approval.Id, Cancellation);
        Assert.Equal(ApprovalState.TimedOut, ended!.State);
        Assert.NotNull(ended.DecidedAt);
        Assert.Equal("gateway", ended.DecidedBy);
    }

    [Fact]
    public async Task Decide_FiftyAtOnce_ExactlyOneIsDecided()
    {
        var queue = CreateQueue(Clock);
        var approval = await queue.SubmitAsync(Request(), Cancellation);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
            (Approve: i % 2 == 0, By: "admin-" + i, Result: await queue.DecideAsync(approval.Id, i % 2 == 0, null, "admin-" + i, Cancellation)))));

        var winner = Assert.Single(results, r => r.Result == ApprovalDecisionResult.Decided);
        Assert.All(results.Where(r => r != winner), r => Assert.Equal(ApprovalDecisionResult.NotPending, r.Result));
        var decided = await queue.GetAsync(approval.Id, Cancellation);
        Assert.Equal((winner.Approve ? ApprovalState.Approved : ApprovalState.Denied, winner.By), (decided!.State, decided.DecidedBy));
    }

    [Fact]
    public async Task List_ReturnsThoseInTheStateOldestFirst()
    {
        var queue = CreateQueue(Clock);
        var first = await queue.SubmitAsync(Request(), Cancellation);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await queue.SubmitAsync(Request(timeout: TimeSpan.FromHours(1)), Cancellation);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var third = await queue.SubmitAsync(Request(timeout: TimeSpan.FromHours(1)), Cancellation);
        await queue.DecideAsync(second.Id, true, null, "admin", Cancellation);

        Assert.Equal([first.Id, third.Id], (await queue.ListAsync(ApprovalState.Pending, Cancellation)).Select(a => a.Id));
        Assert.Equal([second.Id], (await queue.ListAsync(ApprovalState.Approved, Cancellation)).Select(a => a.Id));

        // Past the first one's expiry it is no longer pending, but timed out.
        Clock.Advance(Timeout);
        Assert.Equal([third.Id], (await queue.ListAsync(ApprovalState.Pending, Cancellation)).Select(a => a.Id));
        var timedOut = Assert.Single(await queue.ListAsync(ApprovalState.TimedOut, Cancellation));
        Assert.Equal(first.Id, timedOut.Id);
        Assert.Empty(await queue.ListAsync(ApprovalState.Used, Cancellation));
    }

    [Fact]
    public async Task Wait_DecidedMeanwhile_ReturnsTheDecision()
    {
        var queue = CreateQueue(Clock);
        var approval = await queue.SubmitAsync(Request(), Cancellation);

        var wait = queue.WaitAsync(approval.Id, Cancellation).AsTask();
        Assert.False(wait.IsCompleted);
        Assert.Equal(ApprovalDecisionResult.Decided, await queue.DecideAsync(approval.Id, true, "ok", "client", Cancellation));

        var ended = await wait.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System, Cancellation);
        Assert.Equal((ApprovalState.Approved, "client", "ok"), (ended.State, ended.DecidedBy, ended.Reason));
    }

    [Fact]
    public async Task Wait_AlreadyDecided_ReturnsAtOnce()
    {
        var queue = CreateQueue(Clock);
        var approval = await queue.SubmitAsync(Request(), Cancellation);
        await queue.DecideAsync(approval.Id, false, null, "admin", Cancellation);

        var ended = await queue.WaitAsync(approval.Id, Cancellation).AsTask().WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System, Cancellation);
        Assert.Equal(ApprovalState.Denied, ended.State);
    }

    [Fact]
    public async Task Wait_NoDecisionBeforeExpiry_TimesOutAndALateDecisionIsRefused()
    {
        var queue = CreateQueue(Clock);
        var approval = await queue.SubmitAsync(Request(), Cancellation);

        var wait = queue.WaitAsync(approval.Id, Cancellation).AsTask();
        Clock.Advance(Timeout - TimeSpan.FromSeconds(1));
        Assert.False(wait.IsCompleted);
        Clock.Advance(TimeSpan.FromSeconds(1));

        var ended = await wait.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System, Cancellation);
        Assert.Equal((ApprovalState.TimedOut, "gateway"), (ended.State, ended.DecidedBy));
        Assert.Equal(ApprovalDecisionResult.NotPending, await queue.DecideAsync(approval.Id, true, null, "admin", Cancellation));
        Assert.Equal(ApprovalState.TimedOut, (await queue.GetAsync(approval.Id, Cancellation))!.State);
    }

    [Fact]
    public async Task Wait_Cancelled_Throws()
    {
        var queue = CreateQueue(Clock);
        var approval = await queue.SubmitAsync(Request(), Cancellation);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);

        var wait = queue.WaitAsync(approval.Id, cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System, Cancellation));
        Assert.Equal(ApprovalState.Pending, (await queue.GetAsync(approval.Id, Cancellation))!.State);
    }

    [Fact]
    public async Task Wait_UnknownId_Throws()
    {
        var queue = CreateQueue(Clock);
        await Assert.ThrowsAsync<KeyNotFoundException>(async () => await queue.WaitAsync("0123456789abcdef0123456789abcdef", Cancellation));
    }

    [Fact]
    public async Task Wait_AbandonedMeanwhile_ReturnsAbandoned()
    {
        var queue = CreateQueue(Clock);
        var approval = await queue.SubmitAsync(Request(), Cancellation);

        var wait = queue.WaitAsync(approval.Id, Cancellation).AsTask();
        Assert.True(await queue.AbandonAsync(approval.Id, "the client cancelled", Cancellation));

        var ended = await wait.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System, Cancellation);
        Assert.Equal((ApprovalState.Abandoned, "gateway", "the client cancelled"), (ended.State, ended.DecidedBy, ended.Reason));
    }

    [Fact]
    public async Task TryUse_ApprovedWithTheExactBinding_SucceedsOnce()
    {
        var queue = CreateQueue(Clock);
        var approval = await queue.SubmitAsync(Request(), Cancellation);
        await queue.DecideAsync(approval.Id, true, null, "admin", Cancellation);

        Assert.True(await queue.TryUseAsync(approval.Id, Binding, Cancellation));
        Assert.False(await queue.TryUseAsync(approval.Id, Binding, Cancellation));
        Assert.Equal(ApprovalState.Used, (await queue.GetAsync(approval.Id, Cancellation))!.State);
        Assert.Equal(ApprovalDecisionResult.NotPending, await queue.DecideAsync(approval.Id, true, null, "admin", Cancellation));
    }

    public static TheoryData<string> BindingFields => ["grant", "server", "tool", "arguments", "policy"];

    [Theory]
    [MemberData(nameof(BindingFields))]
    public async Task TryUse_BindingDiffersInOneField_IsRefusedAndLeavesTheApprovalUsable(string field)
    {
        var queue = CreateQueue(Clock);
        var approval = await queue.SubmitAsync(Request(), Cancellation);
        await queue.DecideAsync(approval.Id, true, null, "admin", Cancellation);
        var other = field switch
        {
            "grant" => Binding with { Grant = "g2" },
            "server" => Binding with { Server = "pay2" },
            "tool" => Binding with { Tool = "stk_push_query" },
            "arguments" => Binding with { ArgumentsSha256 = new string('b', 64) },
            "policy" => Binding with { PolicyRevision = "rev-2" },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        Assert.False(await queue.TryUseAsync(approval.Id, other, Cancellation));
        Assert.Equal(ApprovalState.Approved, (await queue.GetAsync(approval.Id, Cancellation))!.State);
        Assert.True(await queue.TryUseAsync(approval.Id, Binding, Cancellation));
    }

    [Fact]
    public async Task TryUse_NotApproved_IsRefused()
    {
        var queue = CreateQueue(Clock);
        var pending = await queue.SubmitAsync(Request(), Cancellation);
        var denied = await queue.SubmitAsync(Request(), Cancellation);
        await queue.DecideAsync(denied.Id, false, null, "admin", Cancellation);

        Assert.False(await queue.TryUseAsync(pending.Id, Binding, Cancellation));
        Assert.False(await queue.TryUseAsync(denied.Id, Binding, Cancellation));
        Assert.False(await queue.TryUseAsync("0123456789abcdef0123456789abcdef", Binding, Cancellation));
        Assert.Equal(ApprovalState.Pending, (await queue.GetAsync(pending.Id, Cancellation))!.State);
    }

    [Fact]
    public async Task TryUse_FiftyAtOnce_ExactlyOneSucceeds()
    {
        var queue = CreateQueue(Clock);
        var approval = await queue.SubmitAsync(Request(), Cancellation);
        await queue.DecideAsync(approval.Id, true, null, "admin", Cancellation);

        var used = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () => await queue.TryUseAsync(approval.Id, Binding, Cancellation))));

        Assert.Single(used, u => u);
    }

    [Fact]
    public async Task Abandon_Pending_EndsItAndRefusesALaterDecision()
    {
        var queue = CreateQueue(Clock);
        var approval = await queue.SubmitAsync(Request(), Cancellation);

        Assert.True(await queue.AbandonAsync(approval.Id, "session closed", Cancellation));
        Assert.False(await queue.AbandonAsync(approval.Id, "session closed", Cancellation));
        Assert.Equal(ApprovalDecisionResult.NotPending, await queue.DecideAsync(approval.Id, true, null, "admin", Cancellation));
        var ended = await queue.GetAsync(approval.Id, Cancellation);
        Assert.Equal((ApprovalState.Abandoned, "gateway", "session closed"), (ended!.State, ended.DecidedBy, ended.Reason));
    }

    [Fact]
    public async Task Abandon_DecidedOrUnknown_ReturnsFalse()
    {
        var queue = CreateQueue(Clock);
        var approval = await queue.SubmitAsync(Request(), Cancellation);
        await queue.DecideAsync(approval.Id, true, null, "admin", Cancellation);

        Assert.False(await queue.AbandonAsync(approval.Id, "session closed", Cancellation));
        Assert.False(await queue.AbandonAsync("0123456789abcdef0123456789abcdef", "session closed", Cancellation));
        Assert.Equal(ApprovalState.Approved, (await queue.GetAsync(approval.Id, Cancellation))!.State);
    }

    [Fact]
    public async Task AbandonOrphans_PendingOfDeadOwners_AreAbandonedAndNothingElse()
    {
        var queue = CreateQueue(Clock);
        var alive = await queue.SubmitAsync(Request(owner: "host/1/1"), Cancellation);
        var orphan1 = await queue.SubmitAsync(Request(owner: "host/2/2"), Cancellation);
        var orphan2 = await queue.SubmitAsync(Request(owner: "host/2/2"), Cancellation);
        var approved = await queue.SubmitAsync(Request(owner: "host/2/2"), Cancellation);
        var expired = await queue.SubmitAsync(Request(owner: "host/3/3", timeout: TimeSpan.FromSeconds(10)), Cancellation);
        await queue.DecideAsync(approved.Id, true, null, "admin", Cancellation);
        Clock.Advance(TimeSpan.FromSeconds(10));

        var abandoned = await queue.AbandonOrphansAsync(owner => owner == "host/1/1", Cancellation);

        Assert.Equal(2, abandoned);
        Assert.Equal(ApprovalState.Pending, (await queue.GetAsync(alive.Id, Cancellation))!.State);
        foreach (var orphan in new[] { orphan1, orphan2 })
        {
            var ended = await queue.GetAsync(orphan.Id, Cancellation);
            Assert.Equal((ApprovalState.Abandoned, "gateway"), (ended!.State, ended.DecidedBy));
        }

        Assert.Equal(ApprovalState.Approved, (await queue.GetAsync(approved.Id, Cancellation))!.State);
        Assert.Equal(ApprovalState.TimedOut, (await queue.GetAsync(expired.Id, Cancellation))!.State);
        // A second pass finds nothing left to abandon.
        Assert.Equal(0, await queue.AbandonOrphansAsync(owner => owner == "host/1/1", Cancellation));
    }
}
