using System.Security.Cryptography;
using System.Text;
using McpWarden.Gateway.Approvals;
using McpWarden.Gateway.Audit;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Enforcement;
using McpWarden.Gateway.Limits;
using McpWarden.Gateway.Pinning;
using McpWarden.Gateway.Storage;
using McpWarden.Gateway.Time;
using McpWarden.Policy.Compilation;
using McpWarden.Policy.Evaluation;
using McpWarden.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace McpWarden.Gateway.Tests.Enforcement;

/// <summary>The gate between a decision and forwarding: audit before anything goes on, held calls, observe mode.</summary>
[Collection(AuditMetricsGroup.Name)]
public sealed class ToolCallGateTests : IAsyncDisposable
{
    private static readonly CompiledPolicy Policy = Policies.Load("""
        {"version":"1","default":"deny","tools":{
          "ok":   {},
          "no":   {"action":"deny","reason":"never"},
          "run":  {"rate_limit":{"max":1,"window":60}},
          "pay":  {"action":"approve","limits":[{"counter":"pay","window":"minute","max":1}]},
          "ask":  {"action":"approve","approval":{"timeout":120,"via":"client"}}
        }}
        """);

    private static readonly CompiledPolicy OtherPolicy = Policies.Load("""{"version":"1","default":"deny","tools":{"ok":{},"pay":{"action":"approve"}}}""");

    private readonly ManualTimeProvider _clock = new(ManualTimeProvider.TestEpoch);
    private readonly InMemoryAuditSink _audit = new();
    private readonly WatchedApprovalQueue _approvals;
    private readonly GatewayStores _stores;

    public ToolCallGateTests()
    {
        _approvals = new WatchedApprovalQueue(new InMemoryApprovalQueue(_clock));
        _stores = new GatewayStores(new InMemoryCounterStore(_clock), _approvals, _audit, new InMemoryPinStore(_clock));
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _stores.DisposeAsync();

    private ToolCallGate Gate(AuditSettings? settings = null, GatewayStores? stores = null) =>
        new(stores ?? _stores, settings ?? AuditSettings.Default, _clock, NullLogger<ToolCallGate>.Instance);

    private static ServerDefinition Server(EnforcementMode mode = EnforcementMode.Enforce, CompiledPolicy? policy = null) =>
        new("srv", new StdioUpstreamDefinition("server", [], new Dictionary<string, string>(), "/"), policy ?? Policy, "inline", mode, TimeSpan.FromSeconds(30));

    private static GateCall Call(
        string tool,
        string arguments = "{}",
        string grant = "g1",
        EnforcementMode mode = EnforcementMode.Enforce,
        Func<CompiledPolicy>? current = null,
        Func<Approval, CancellationToken, Task<bool?>>? ask = null) =>
        new(Server(mode), Policies.Call(tool, arguments, grant), ToolSnapshot.Everything, "session-label", current ?? (() => Policy), ask);

    private async Task<AuditRecord[]> RecordsAsync() => [.. (await _audit.QueryAsync(new AuditQuery(), Token)).Reverse()];

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Starts a call that the policy holds, and returns once it waits on its approval.</summary>
    private async Task<(Task<GateResult> Admitted, Approval Approval)> HoldAsync(ToolCallGate gate, GateCall call, CancellationTokenSource? withdraw = null)
    {
        var admitted = gate.AdmitAsync(call, withdraw?.Token ?? Token);
        var id = await _approvals.Waiting.Reader.ReadAsync(Token).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.False(admitted.IsCompleted);
        return (admitted, (await _approvals.GetAsync(id, Token))!);
    }

    [Fact]
    public async Task AdmitAsync_StoreFailsWhileTheCallWaits_RefusesItAndAbandonsItsApproval()
    {
        _approvals.FailWaits = true;

        var result = await Gate().AdmitAsync(Call("pay"), Token);

        Assert.False(result.Forward);
        Assert.Equal(ReasonCodes.EvaluationError, result.Decision.Code);
        var records = await RecordsAsync();
        Assert.Equal([AuditDecisions.Hold, AuditDecisions.Deny], records.Select(r => r.Decision));
        var approval = Assert.Single(await _approvals.ListAsync(ApprovalState.Abandoned, Token));
        Assert.Equal(records[0].ApprovalId, approval.Id);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AdmitAsync_InvalidArguments_KeepTheirValuesOutOfTheAudit(bool recordArguments)
    {
        var policy = Policies.Load("""{"version":"1","default":"deny","tools":{"login":{"arguments":{"properties":{"password":{"pattern":"^x"}}}}}}""");
        var call = new GateCall(Server(policy: policy), Policies.Call("login", """{"password":"Sup3rSecret"}"""), ToolSnapshot.Everything, "s", () => policy);

        var result = await Gate(new AuditSettings(recordArguments, ArgumentRedactor.Default)).AdmitAsync(call, Token);

        Assert.Equal(ReasonCodes.InvalidArguments, result.Decision.Code);
        Assert.Contains("Sup3rSecret", result.Decision.Message, StringComparison.Ordinal);
        var record = Assert.Single(await RecordsAsync());
        Assert.DoesNotContain("Sup3rSecret", record.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Sup3rSecret", record.Arguments ?? string.Empty, StringComparison.Ordinal);
        Assert.StartsWith("/tools/login/arguments", record.RulePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdmitAsync_Allowed_IsForwardedAndAuditedWithEveryField()
    {
        _clock.Advance(TimeSpan.FromMinutes(3));
        var stores = new GatewayStores(new SlowCounterStore(new InMemoryCounterStore(_clock), _clock, TimeSpan.FromMilliseconds(7)), _approvals, _audit, new InMemoryPinStore(_clock));
        var gate = Gate(new AuditSettings(true, ArgumentRedactor.Default), stores);

        var result = await gate.AdmitAsync(Call("run", """{"b":1,"a":2,"password":"hunter2"}"""), Token);

        Assert.True(result.Forward);
        Assert.Equal((DecisionKind.Allow, ReasonCodes.Allowed), (result.Decision.Kind, result.Decision.Code));
        var record = Assert.Single(await RecordsAsync());
        Assert.Equal(result.AuditId, record.Id);
        Assert.Equal(ManualTimeProvider.TestEpoch.AddMinutes(3).AddMilliseconds(7), record.Time);
        Assert.Equal(("g1", "session-label", "srv", "run"), (record.Grant, record.Session, record.Server, record.Tool));
        Assert.Equal((AuditDecisions.Allow, ReasonCodes.Allowed, "/tools/run", "allowed by the policy"), (record.Decision, record.Code, record.RulePath, record.Message));
        Assert.Equal(Sha256("""{"a":2,"b":1,"password":"hunter2"}"""), record.ArgumentsSha256);
        Assert.Equal("""{"a":2,"b":1,"password":"[redacted]"}""", record.Arguments);
        Assert.Equal(Policy.Revision, record.PolicyRevision);
        Assert.Equal(TimeSpan.FromMilliseconds(7), record.Evaluation);
        Assert.Equal("enforce", record.Mode);
        Assert.Null(record.ApprovalId);
        Assert.Null(record.Outcome);
        Assert.Null(record.UpstreamLatency);

        await gate.CompleteAsync(record.Id, AuditOutcomes.Ok, TimeSpan.FromMilliseconds(42));
        var completed = Assert.Single(await RecordsAsync());
        Assert.Equal((AuditOutcomes.Ok, TimeSpan.FromMilliseconds(42)), (completed.Outcome, completed.UpstreamLatency));
    }

    [Fact]
    public async Task AdmitAsync_SameArgumentsInAnotherOrderAndNumberForm_HaveOneHash()
    {
        var gate = Gate();
        await gate.AdmitAsync(Call("ok", """{"b":1,"a":2}"""), Token);
        await gate.AdmitAsync(Call("ok", """{"a":2,"b":1.0}"""), Token);
        await gate.AdmitAsync(Call("ok", """{"a":2,"b":1.5}"""), Token);

        var records = await RecordsAsync();
        Assert.Equal(records[0].ArgumentsSha256, records[1].ArgumentsSha256);
        Assert.Equal(Sha256("""{"a":2,"b":1}"""), records[0].ArgumentsSha256);
        Assert.NotEqual(records[0].ArgumentsSha256, records[2].ArgumentsSha256);
    }

    [Fact]
    public async Task AdmitAsync_RecordArgumentsOff_KeepsTheHashButNotTheArguments()
    {
        var result = await Gate().AdmitAsync(Call("ok", """{"to":"0700000000"}"""), Token);

        Assert.True(result.Forward);
        var record = Assert.Single(await RecordsAsync());
        Assert.Null(record.Arguments);
        Assert.Equal(Sha256("""{"to":"0700000000"}"""), record.ArgumentsSha256);
    }

    [Fact]
    public async Task AdmitAsync_CallWithoutArguments_IsHashedAsAnEmptyObject()
    {
        var call = Call("ok") with { Call = new ToolCall("srv", "ok", default, "g1", "s1") };
        await Gate(new AuditSettings(true, ArgumentRedactor.Default)).AdmitAsync(call, Token);

        var record = Assert.Single(await RecordsAsync());
        Assert.Equal((Sha256("{}"), "{}"), (record.ArgumentsSha256, record.Arguments));
    }

    [Theory]
    [InlineData("no", ReasonCodes.DeniedByRule, "/tools/no")]
    [InlineData("unlisted", ReasonCodes.DefaultDeny, "/default")]
    public async Task AdmitAsync_Denied_IsAuditedAndNotForwarded(string tool, string code, string rulePath)
    {
        var result = await Gate().AdmitAsync(Call(tool), Token);

        Assert.False(result.Forward);
        Assert.Null(result.AuditId);
        Assert.Equal(code, result.Decision.Code);
        var record = Assert.Single(await RecordsAsync());
        Assert.Equal((AuditDecisions.Deny, code, rulePath, "enforce"), (record.Decision, record.Code, record.RulePath, record.Mode));
        Assert.Null(record.Outcome);
    }

    [Fact]
    public async Task AdmitAsync_HeldCallsApproved_ConsumeOnlyWhenReleasedSoOnlyOneFitsTheLimit()
    {
        var gate = Gate();
        var (first, firstApproval) = await HoldAsync(gate, Call("pay", """{"amount":1}"""));

        // The first call waits without consuming: the limit of one still has room for a second held call.
        var (second, secondApproval) = await HoldAsync(gate, Call("pay", """{"amount":2}"""));
        Assert.Equal(2, (await _approvals.ListAsync(ApprovalState.Pending, Token)).Count);

        Assert.Equal(ApprovalDecisionResult.Decided, await _approvals.DecideAsync(firstApproval.Id, true, null, "admin", Token));
        var released = await first;
        Assert.True(released.Forward);
        Assert.Equal((DecisionKind.Allow, ReasonCodes.Approved), (released.Decision.Kind, released.Decision.Code));
        Assert.Equal(ApprovalState.Used, (await _approvals.GetAsync(firstApproval.Id, Token))!.State);

        Assert.Equal(ApprovalDecisionResult.Decided, await _approvals.DecideAsync(secondApproval.Id, true, null, "admin", Token));
        var refused = await second;
        Assert.False(refused.Forward);
        Assert.Equal(ReasonCodes.RateLimited, refused.Decision.Code);

        var records = await RecordsAsync();
        Assert.Equal(
            [(AuditDecisions.Hold, ReasonCodes.ApprovalRequired), (AuditDecisions.Hold, ReasonCodes.ApprovalRequired), (AuditDecisions.Allow, ReasonCodes.Approved), (AuditDecisions.Deny, ReasonCodes.RateLimited)],
            records.Select(r => (r.Decision, r.Code)).ToArray());
        Assert.Equal([firstApproval.Id, secondApproval.Id, firstApproval.Id, secondApproval.Id], records.Select(r => r.ApprovalId ?? "").ToArray());
        Assert.Equal(released.AuditId, records[2].Id);
    }

    [Fact]
    public async Task AdmitAsync_HeldCall_IsBoundToItsGrantServerToolArgumentsAndRevision()
    {
        var gate = Gate();
        var (admitted, approval) = await HoldAsync(gate, Call("pay", """{"to":"x","pin":"1234"}""", grant: "ops"));

        Assert.Equal(new ApprovalBinding("ops", "srv", "pay", Sha256("""{"pin":"1234","to":"x"}"""), Policy.Revision), approval.Binding);
        Assert.Equal(("session-label", "/tools/pay", TimeSpan.FromSeconds(300)), (approval.Session, approval.RulePath, approval.ExpiresAt - approval.CreatedAt));
        Assert.Equal(GatewayInstance.Current, approval.Owner);

        // What the person sees has its secrets redacted, even when the audit keeps no arguments.
        Assert.Equal("""{"pin":"[redacted]","to":"x"}""", approval.Arguments);

        await _approvals.DecideAsync(approval.Id, true, null, "admin", Token);
        Assert.True((await admitted).Forward);
    }

    [Fact]
    public async Task AdmitAsync_PersonRefuses_IsApprovalDeniedWithTheirReason()
    {
        var gate = Gate();
        var (admitted, approval) = await HoldAsync(gate, Call("pay"));

        await _approvals.DecideAsync(approval.Id, false, "not on a Sunday", "admin", Token);
        var result = await admitted;

        Assert.False(result.Forward);
        Assert.Equal(ReasonCodes.ApprovalDenied, result.Decision.Code);
        Assert.Contains("not on a Sunday", result.Decision.Message, StringComparison.Ordinal);
        var record = (await RecordsAsync())[^1];
        Assert.Equal((AuditDecisions.Deny, ReasonCodes.ApprovalDenied, approval.Id), (record.Decision, record.Code, record.ApprovalId));
        Assert.Contains("not on a Sunday", record.Message, StringComparison.Ordinal);

        // Nothing was consumed: a new call is held again, not rate limited.
        var (_, again) = await HoldAsync(gate, Call("pay"));
        Assert.NotEqual(approval.Id, again.Id);
    }

    [Fact]
    public async Task AdmitAsync_NoOneDecidesInTime_IsApprovalTimeoutAndALateApprovalIsRefused()
    {
        var gate = Gate();
        var (admitted, approval) = await HoldAsync(gate, Call("pay"));

        _clock.Advance(TimeSpan.FromSeconds(299));
        Assert.False(admitted.IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var result = await admitted.WaitAsync(TimeSpan.FromSeconds(10), Token);

        Assert.False(result.Forward);
        Assert.Equal(ReasonCodes.ApprovalTimeout, result.Decision.Code);
        Assert.Equal(ReasonCodes.ApprovalTimeout, (await RecordsAsync())[^1].Code);
        Assert.Equal(ApprovalDecisionResult.NotPending, await _approvals.DecideAsync(approval.Id, true, null, "admin", Token));
        Assert.Equal(ApprovalState.TimedOut, (await _approvals.GetAsync(approval.Id, Token))!.State);
    }

    [Fact]
    public async Task AdmitAsync_CallWithdrawnWhileHeld_AbandonsTheApprovalAndAuditsIt()
    {
        var gate = Gate();
        using var withdrawn = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var (admitted, approval) = await HoldAsync(gate, Call("pay"), withdrawn);

        await withdrawn.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => admitted.WaitAsync(TimeSpan.FromSeconds(10), Token));
        Assert.Equal(ApprovalState.Abandoned, (await _approvals.GetAsync(approval.Id, Token))!.State);
        Assert.Equal(ApprovalDecisionResult.NotPending, await _approvals.DecideAsync(approval.Id, true, null, "admin", Token));
        var record = (await RecordsAsync())[^1];
        Assert.Equal((AuditDecisions.Deny, ReasonCodes.ApprovalAbandoned, approval.Id), (record.Decision, record.Code, record.ApprovalId));
    }

    [Fact]
    public async Task AdmitAsync_PolicyChangedWhileHeld_IsApprovalDeniedAndConsumesNothing()
    {
        var policy = Policy;
        var gate = Gate();
        var (admitted, approval) = await HoldAsync(gate, Call("pay", current: () => policy));

        policy = OtherPolicy;
        await _approvals.DecideAsync(approval.Id, true, null, "admin", Token);
        var result = await admitted;

        Assert.False(result.Forward);
        Assert.Equal(ReasonCodes.ApprovalDenied, result.Decision.Code);
        Assert.Contains("policy changed", result.Decision.Message, StringComparison.Ordinal);

        // The limit of one was not taken by the refused call.
        var (next, nextApproval) = await HoldAsync(gate, Call("pay"));
        await _approvals.DecideAsync(nextApproval.Id, true, null, "admin", Token);
        Assert.True((await next).Forward);
    }

    [Fact]
    public async Task AdmitAsync_AuditSinkFails_RefusesTheCallAndCountsTheFailure()
    {
        using var failures = new AuditFailureCounter();
        var stores = new GatewayStores(new InMemoryCounterStore(_clock), _approvals, new FailingAuditSink(), new InMemoryPinStore(_clock));

        var result = await Gate(stores: stores).AdmitAsync(Call("ok"), Token);

        Assert.False(result.Forward);
        Assert.Null(result.AuditId);
        Assert.Equal((DecisionKind.Deny, ReasonCodes.AuditFailed), (result.Decision.Kind, result.Decision.Code));
        Assert.Equal(1, failures.Count);
    }

    [Fact]
    public async Task AdmitAsync_AuditSinkFailsOnAHeldCall_RefusesItWithoutWaitingAndAbandonsTheApproval()
    {
        using var failures = new AuditFailureCounter();
        var stores = new GatewayStores(new InMemoryCounterStore(_clock), _approvals, new FailingAuditSink(), new InMemoryPinStore(_clock));

        var result = await Gate(stores: stores).AdmitAsync(Call("pay"), Token).WaitAsync(TimeSpan.FromSeconds(10), Token);

        Assert.False(result.Forward);
        Assert.Equal(ReasonCodes.AuditFailed, result.Decision.Code);
        Assert.Empty(await _approvals.ListAsync(ApprovalState.Pending, Token));
        Assert.Single(await _approvals.ListAsync(ApprovalState.Abandoned, Token));
        Assert.Equal(1, failures.Count);
    }

    [Fact]
    public async Task AdmitAsync_AuditSinkFailsOnlyForTheRelease_RefusesTheApprovedCall()
    {
        using var failures = new AuditFailureCounter();
        var sink = new FailingAuditSink { FailAfter = 1 };
        var stores = new GatewayStores(new InMemoryCounterStore(_clock), _approvals, sink, new InMemoryPinStore(_clock));
        var (admitted, approval) = await HoldAsync(Gate(stores: stores), Call("pay"));

        await _approvals.DecideAsync(approval.Id, true, null, "admin", Token);
        var result = await admitted;

        Assert.False(result.Forward);
        Assert.Equal(ReasonCodes.AuditFailed, result.Decision.Code);
        Assert.Equal(1, failures.Count);
    }

    [Fact]
    public async Task CompleteAsync_SinkFails_IsCountedAndDoesNotThrow()
    {
        using var failures = new AuditFailureCounter();
        var gate = Gate();

        await gate.CompleteAsync(999, AuditOutcomes.Ok, TimeSpan.Zero);

        Assert.Equal(1, failures.Count);
    }

    [Fact]
    public async Task AdmitAsync_ObserveModeDenied_IsForwardedAndAuditedAsADenial()
    {
        var result = await Gate().AdmitAsync(Call("no", mode: EnforcementMode.Observe), Token);

        Assert.True(result.Forward);
        Assert.Equal(ReasonCodes.DeniedByRule, result.Decision.Code);
        var record = Assert.Single(await RecordsAsync());
        Assert.Equal((AuditDecisions.Deny, ReasonCodes.DeniedByRule, "observe"), (record.Decision, record.Code, record.Mode));
        Assert.Equal(result.AuditId, record.Id);
    }

    [Fact]
    public async Task AdmitAsync_ObserveModeRateLimited_IsForwardedAndAuditedAsRateLimited()
    {
        var gate = Gate();
        Assert.True((await gate.AdmitAsync(Call("run", mode: EnforcementMode.Observe), Token)).Forward);
        var second = await gate.AdmitAsync(Call("run", mode: EnforcementMode.Observe), Token);

        Assert.True(second.Forward);
        Assert.Equal(ReasonCodes.RateLimited, second.Decision.Code);
        var records = await RecordsAsync();
        Assert.Equal([(AuditDecisions.Allow, ReasonCodes.Allowed), (AuditDecisions.Deny, ReasonCodes.RateLimited)], records.Select(r => (r.Decision, r.Code)).ToArray());
        Assert.All(records, r => Assert.Equal("observe", r.Mode));

        // Exactly as enforcement counts: the same budget, seen from enforce mode, is spent.
        Assert.Equal(ReasonCodes.RateLimited, (await gate.AdmitAsync(Call("run"), Token)).Decision.Code);
    }

    [Fact]
    public async Task AdmitAsync_ObserveModeHeld_IsForwardedAtOnceAndConsumes()
    {
        var gate = Gate();
        var first = await gate.AdmitAsync(Call("pay", mode: EnforcementMode.Observe), Token).WaitAsync(TimeSpan.FromSeconds(10), Token);

        Assert.True(first.Forward);
        Assert.Empty(await _approvals.ListAsync(ApprovalState.Pending, Token));
        var record = Assert.Single(await RecordsAsync());
        Assert.Equal((AuditDecisions.Hold, ReasonCodes.ApprovalRequired, "observe"), (record.Decision, record.Code, record.Mode));

        // It took the limit's one unit.
        var second = await gate.AdmitAsync(Call("pay", mode: EnforcementMode.Observe), Token);
        Assert.True(second.Forward);
        Assert.Equal(ReasonCodes.RateLimited, second.Decision.Code);
    }

    [Theory]
    [InlineData(true, true, ReasonCodes.Approved)]
    [InlineData(false, false, ReasonCodes.ApprovalDenied)]
    public async Task AdmitAsync_ViaClientAnswered_TheClientDecides(bool answer, bool forwarded, string code)
    {
        var asked = new List<Approval>();
        var result = await Gate().AdmitAsync(Call("ask", ask: (approval, _) => { asked.Add(approval); return Task.FromResult<bool?>(answer); }), Token)
            .WaitAsync(TimeSpan.FromSeconds(10), Token);

        Assert.Equal((forwarded, code), (result.Forward, result.Decision.Code));
        var approval = Assert.Single(asked);
        var ended = (await _approvals.GetAsync(approval.Id, Token))!;
        Assert.Equal("client", ended.DecidedBy);
        Assert.Equal(answer ? ApprovalState.Used : ApprovalState.Denied, ended.State);
    }

    [Fact]
    public async Task AdmitAsync_ViaClientWithoutAnAnswer_TheQueueDecidesAndTheQuestionIsWithdrawn()
    {
        var withdrawn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource<bool?>(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<bool?> Ask(Approval approval, CancellationToken cancellationToken)
        {
            try
            {
                return await never.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                withdrawn.TrySetResult();
                throw;
            }
        }

        var (admitted, approval) = await HoldAsync(Gate(), Call("ask", ask: Ask));
        await _approvals.DecideAsync(approval.Id, false, "from the queue", "admin", Token);
        var result = await admitted.WaitAsync(TimeSpan.FromSeconds(10), Token);

        Assert.Equal(ReasonCodes.ApprovalDenied, result.Decision.Code);
        Assert.Contains("from the queue", result.Decision.Message, StringComparison.Ordinal);
        await withdrawn.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AdmitAsync_ViaClientDismissedOrFailing_LeavesTheCallToTheQueue(bool throws)
    {
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<bool?> Ask(Approval approval, CancellationToken cancellationToken)
        {
            asked.TrySetResult();
            return throws ? Task.FromException<bool?>(new InvalidOperationException("the client is gone")) : Task.FromResult<bool?>(null);
        }

        var (admitted, approval) = await HoldAsync(Gate(), Call("ask", ask: Ask));
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.Equal(ApprovalState.Pending, (await _approvals.GetAsync(approval.Id, Token))!.State);

        await _approvals.DecideAsync(approval.Id, true, null, "admin", Token);
        var result = await admitted.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.True(result.Forward);
        Assert.Equal("admin", (await _approvals.GetAsync(approval.Id, Token))!.DecidedBy);
    }

    [Fact]
    public async Task AdmitAsync_RuleViaQueue_NeverAsksTheClient()
    {
        var asked = 0;
        var (admitted, approval) = await HoldAsync(Gate(), Call("pay", ask: (_, _) => { asked++; return Task.FromResult<bool?>(true); }));

        Assert.Equal(ApprovalState.Pending, (await _approvals.GetAsync(approval.Id, Token))!.State);
        await _approvals.DecideAsync(approval.Id, true, null, "admin", Token);
        Assert.True((await admitted).Forward);
        Assert.Equal(0, asked);
    }

    [Fact]
    public async Task AdmitAsync_ViaClientWithAClientThatCannotBeAsked_TheQueueDecides()
    {
        var (admitted, approval) = await HoldAsync(Gate(), Call("ask", ask: null));

        _clock.Advance(TimeSpan.FromSeconds(119));
        Assert.False(admitted.IsCompleted);
        await _approvals.DecideAsync(approval.Id, true, null, "admin", Token);
        Assert.True((await admitted).Forward);
    }

    /// <summary>Isolation only: counters that take a while, on the fake clock, as a remote store does.</summary>
    private sealed class SlowCounterStore(ICounterStore inner, ManualTimeProvider clock, TimeSpan delay) : ICounterStore
    {
        public ValueTask<CounterOutcome> TryConsumeAsync(IReadOnlyList<LimitObligation> obligations, CancellationToken cancellationToken = default)
        {
            clock.Advance(delay);
            return inner.TryConsumeAsync(obligations, cancellationToken);
        }

        public ValueTask<CounterOutcome> CheckAsync(IReadOnlyList<LimitObligation> obligations, CancellationToken cancellationToken = default)
        {
            clock.Advance(delay);
            return inner.CheckAsync(obligations, cancellationToken);
        }

        public ValueTask<IReadOnlyList<CounterUsage>> UsageAsync(CancellationToken cancellationToken = default) => inner.UsageAsync(cancellationToken);
    }
}
