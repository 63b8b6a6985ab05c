using McpWarden.Gateway.Approvals;
using McpWarden.Gateway.Audit;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Storage;
using McpWarden.Gateway.Telemetry;
using McpWarden.Policy.Evaluation;
using McpWarden.Policy.Json;
using Microsoft.Extensions.Logging;

namespace McpWarden.Gateway.Enforcement;

/// <summary>
/// Everything that happens to a <c>tools/call</c> between its arrival and its forwarding: the policy
/// decides (<see cref="ToolCallEnforcer"/>), a held call waits for a person, and every decision is written
/// to the audit log before anything reaches the server. Fails closed throughout: a decision that cannot be
/// recorded refuses the call, and an approval releases only the call it was given for.
/// </summary>
public sealed class ToolCallGate
{
    private readonly ToolCallEnforcer _enforcer;
    private readonly IApprovalQueue _approvals;
    private readonly IAuditSink _audit;
    private readonly AuditSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ToolCallGate(GatewayStores stores, AuditSettings settings, TimeProvider time, ILogger<ToolCallGate> logger)
    {
        ArgumentNullException.ThrowIfNull(stores);
        _enforcer = new ToolCallEnforcer(stores.Counters, stores.LimitsFailOpen, stores.Admissions);
        _approvals = stores.Approvals;
        _audit = stores.Audit;
        _settings = settings;
        _time = time;
        _logger = logger;
    }

    /// <summary>Decides one call, waiting for a person when the policy says so. Cancelling abandons a held call.</summary>
    public async Task<GateResult> AdmitAsync(GateCall gate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gate);
        var started = _time.GetTimestamp();
        var fresh = NewRecord(gate);
        // An allowed call with limits is recorded in the write that consumes its units, when the store can: one
        // commit before forwarding instead of two. The record is made as the write runs, so its evaluation time
        // covers the counters as the separate path's does.
        var enforced = await _enforcer.DecideAndRecordAsync(
            gate.Server.Policy,
            gate.Call,
            gate.Tools,
            allowed => Settled(fresh with { Evaluation = _time.GetElapsedTime(started) }, allowed),
            cancellationToken).ConfigureAwait(false);
        var decision = enforced.Decision;
        var server = new KeyValuePair<string, object?>("server", gate.Call.Server);
        if (enforced.Recorded is { } recorded)
        {
            GatewayMetrics.EvaluationDuration.Record(recorded.Evaluation.TotalSeconds, server);
            Observe(gate, recorded, decision);
            return new GateResult(true, decision, recorded.Id);
        }

        // Evaluation time covers deciding and the counters; waiting for a person is not evaluation.
        var record = fresh with { Evaluation = _time.GetElapsedTime(started) };
        GatewayMetrics.EvaluationDuration.Record(record.Evaluation.TotalSeconds, server);
        if (enforced.AuditFailure is { } failure)
        {
            return AuditFailed(gate, decision, Settled(record, decision), failure);
        }

        var observing = gate.Server.Mode == EnforcementMode.Observe;

        if (decision.Kind == DecisionKind.Approve)
        {
            return observing
                ? await ObserveHeldAsync(gate, decision, record, cancellationToken).ConfigureAwait(false)
                : await HoldAsync(gate, decision, record, cancellationToken).ConfigureAwait(false);
        }

        return await SettleAsync(gate, decision, record, forward: decision.IsAllowed || observing, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records what the server answered to a forwarded call. Never throws: the decision itself is already on record.</summary>
    public async Task CompleteAsync(long auditId, string outcome, TimeSpan latency)
    {
        try
        {
            await _audit.CompleteAsync(auditId, outcome, latency).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The call has been answered; a lost outcome is logged and counted, never an exception in the relay.
        catch (Exception e)
#pragma warning restore CA1031
        {
            GatewayMetrics.AuditFailures.Add(1);
            GatewayMetrics.RecordStoreError(GatewayMetrics.StoreParts.Audit, e);
            GateLog.OutcomeNotRecorded(_logger, auditId, e.Message);
        }
    }

    /// <summary>
    /// A held call: recorded as pending and audited as held, then decided by a person (the client's user
    /// first, when the rule asks for that and the client can be asked). Its limits are consumed only once it is approved.
    /// </summary>
    private async Task<GateResult> HoldAsync(GateCall gate, Decision held, AuditRecord record, CancellationToken cancellationToken)
    {
        var binding = new ApprovalBinding(gate.Call.Grant, gate.Call.Server, gate.Call.Tool, record.ArgumentsSha256, gate.Server.Policy.Revision);
        Approval approval;
        try
        {
            var arguments = _settings.Redactor.Redact(gate.Call.ArgumentsOrEmpty);
            approval = await _approvals.SubmitAsync(new ApprovalRequest(binding, gate.SessionLabel, arguments, held.RulePath, held.Message, held.ApprovalTimeout!.Value, GatewayInstance.Current), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            GatewayMetrics.RecordStoreError(GatewayMetrics.StoreParts.Approvals, e);
            GateLog.ApprovalNotRecorded(_logger, gate.Call.Server, new Relay.Untrusted(gate.Call.Tool), e.Message);
            var refused = Decision.Deny(StoreFailureCode(e), held.RulePath, $"the call needs a person's approval, and the approval could not be recorded: {StoreUnavailableException.RefusalText(e)}", held.Rule);
            return await SettleAsync(gate, refused, record, forward: false, cancellationToken).ConfigureAwait(false);
        }

        record = record with { ApprovalId = approval.Id };
        var holding = await SettleAsync(gate, held, record, forward: false, cancellationToken).ConfigureAwait(false);
        if (holding.Decision.Code == ReasonCodes.AuditFailed)
        {
            await AbandonQuietlyAsync(approval.Id, "the hold could not be audited").ConfigureAwait(false);
            return holding;
        }

        GateLog.Held(_logger, gate.Call.Server, new Relay.Untrusted(gate.Call.Tool), approval.Id, held.ApprovalTimeout!.Value.TotalSeconds);
        GatewayTracing.Held(gate.Span, approval.Id);
        var server = new KeyValuePair<string, object?>("server", gate.Call.Server);
        GatewayMetrics.ApprovalsPending.Add(1, server);
        Approval ended;
        try
        {
            ended = await WaitForPersonAsync(gate, held, approval, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The call is gone (cancelled by the client, or its session closed): nothing may release it later.
            await AbandonQuietlyAsync(approval.Id, "the call was withdrawn before anyone decided").ConfigureAwait(false);
            var withdrawn = Decision.Deny(ReasonCodes.ApprovalAbandoned, held.RulePath, "the call was withdrawn before anyone decided", held.Rule);
            await SettleAsync(gate, withdrawn, record, forward: false, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        catch (Exception e)
        {
            // The store failed while the call waited: the call is refused, and its approval can no longer release anything.
            GatewayMetrics.RecordStoreError(GatewayMetrics.StoreParts.Approvals, e);
            await AbandonQuietlyAsync(approval.Id, "the gateway could not follow the approval: " + e.Message).ConfigureAwait(false);
            var failed = Decision.Deny(StoreFailureCode(e), held.RulePath, $"the approval could not be followed, so the call is refused: {StoreUnavailableException.RefusalText(e)}", held.Rule);
            return await SettleAsync(gate, failed, record, forward: false, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            GatewayMetrics.ApprovalsPending.Add(-1, server);
        }

        GateLog.ApprovalEnded(_logger, ended.Id, ended.State, ended.DecidedBy);
        var decision = ended.State switch
        {
            ApprovalState.Approved => await UseApprovalAsync(gate, held, ended, binding, cancellationToken).ConfigureAwait(false),
            ApprovalState.Denied => Decision.Deny(ReasonCodes.ApprovalDenied, held.RulePath, ended.Reason is { Length: > 0 } reason ? $"a person refused the call: {reason}" : "a person refused the call", held.Rule),
            ApprovalState.TimedOut => Decision.Deny(ReasonCodes.ApprovalTimeout, held.RulePath, $"no one approved the call within {held.ApprovalTimeout!.Value.TotalSeconds:0.###}s", held.Rule),
            _ => Decision.Deny(ReasonCodes.ApprovalAbandoned, held.RulePath, $"the approval ended as {ended.State.ToString().ToLowerInvariant()} without a decision", held.Rule),
        };
        return await SettleAsync(gate, decision, record, forward: decision.IsAllowed, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits for the queue's decision; when the rule says so and the client can be asked, its user is asked meanwhile.</summary>
    private async Task<Approval> WaitForPersonAsync(GateCall gate, Decision held, Approval approval, CancellationToken cancellationToken)
    {
        if (held.Rule?.ApprovalVia == Policy.Definitions.ApprovalChannel.Client && gate.AskClient is { } ask)
        {
            using var asking = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var askTask = AskClientAsync(ask, approval, asking.Token);
            try
            {
                return await _approvals.WaitAsync(approval.Id, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // Decided elsewhere first (the queue, the expiry), withdrawn, or failed: the question to the client is withdrawn.
                await asking.CancelAsync().ConfigureAwait(false);
                await askTask.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        return await _approvals.WaitAsync(approval.Id, cancellationToken).ConfigureAwait(false);
    }

    private async Task AskClientAsync(Func<Approval, CancellationToken, Task<bool?>> ask, Approval approval, CancellationToken cancellationToken)
    {
        try
        {
            if (await ask(approval, cancellationToken).ConfigureAwait(false) is { } approve)
            {
                await _approvals.DecideAsync(approval.Id, approve, approve ? null : "refused by the client's user", "client", cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // A client that cannot be asked leaves the decision to the queue.
        catch (Exception e)
#pragma warning restore CA1031
        {
            GateLog.ClientNotAsked(_logger, approval.Id, e.Message);
        }
    }

    /// <summary>Abandons a pending approval; a store that fails here is logged (the call is refused either way, and the approval expires).</summary>
    private async Task AbandonQuietlyAsync(string id, string reason)
    {
        try
        {
            await _approvals.AbandonAsync(id, reason, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Abandoning is a courtesy to the queue; the call it stood for is refused regardless.
        catch (Exception e)
#pragma warning restore CA1031
        {
            GatewayMetrics.RecordStoreError(GatewayMetrics.StoreParts.Approvals, e);
            GateLog.NotAbandoned(_logger, id, e.Message);
        }
    }

    /// <summary>An approved call goes on only if the approval is still its own (single use, same policy) and its limits still have room.</summary>
    private async Task<Decision> UseApprovalAsync(GateCall gate, Decision held, Approval approval, ApprovalBinding binding, CancellationToken cancellationToken)
    {
        if (gate.CurrentPolicy().Revision != binding.PolicyRevision)
        {
            return Decision.Deny(ReasonCodes.ApprovalDenied, held.RulePath, "the policy changed while the call waited, so the approval no longer applies; make the call again", held.Rule);
        }

        bool used;
        try
        {
            used = await _approvals.TryUseAsync(approval.Id, binding, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Fail closed whatever went wrong: an approval that cannot be marked used releases nothing.
            GatewayMetrics.RecordStoreError(GatewayMetrics.StoreParts.Approvals, e);
            return Decision.Deny(StoreFailureCode(e), held.RulePath, $"the approval could not be used, so the call is refused: {StoreUnavailableException.RefusalText(e)}", held.Rule);
        }

        if (!used)
        {
            return Decision.Deny(ReasonCodes.ApprovalDenied, held.RulePath, "the approval was already used or does not match this call", held.Rule);
        }

        return await _enforcer.ConsumeApprovedAsync(held, gate.Call.Server, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Observe mode never holds a call: it goes on at once, consuming what an approved call would, and the audit
    /// says it would have waited for a person.
    /// </summary>
    private async Task<GateResult> ObserveHeldAsync(GateCall gate, Decision held, AuditRecord record, CancellationToken cancellationToken)
    {
        var consumed = await _enforcer.ConsumeApprovedAsync(held, gate.Call.Server, cancellationToken).ConfigureAwait(false);
        var decision = consumed.IsAllowed ? held : consumed;
        return await SettleAsync(gate, decision, record, forward: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An unreachable store says so (the call can succeed later); any other failure is an error in deciding.</summary>
    private static string StoreFailureCode(Exception e) =>
        e is StoreUnavailableException ? ReasonCodes.StoreUnavailable : ReasonCodes.EvaluationError;

    /// <summary>Writes the decision's audit record; a call is forwarded only once its record is durable.</summary>
    private async Task<GateResult> SettleAsync(GateCall gate, Decision decision, AuditRecord record, bool forward, CancellationToken cancellationToken)
    {
        var audited = Settled(record, decision);
        try
        {
            var stored = await _audit.AppendAsync(audited, cancellationToken).ConfigureAwait(false);
            Observe(gate, audited, decision);
            return new GateResult(forward, decision, forward ? stored.Id : null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return AuditFailed(gate, decision, audited, e);
        }
    }

    /// <summary>The record of a decision as it is settled now.</summary>
    private AuditRecord Settled(AuditRecord record, Decision decision) => record with
    {
        Time = _time.GetUtcNow(),
        Decision = decision.Kind switch
        {
            DecisionKind.Allow => AuditDecisions.Allow,
            DecisionKind.Approve => AuditDecisions.Hold,
            _ => AuditDecisions.Deny,
        },
        Code = decision.Code,
        RulePath = decision.RulePath,
        Message = AuditedMessage(decision),
    };

    /// <summary>A decision that could not be recorded refuses the call (fail closed).</summary>
    private GateResult AuditFailed(GateCall gate, Decision decision, AuditRecord audited, Exception e)
    {
        GatewayMetrics.AuditFailures.Add(1);
        GatewayMetrics.RecordStoreError(GatewayMetrics.StoreParts.Audit, e);
        GateLog.AuditFailed(_logger, gate.Call.Server, new Relay.Untrusted(gate.Call.Tool), e.Message);
        var refused = Decision.Deny(ReasonCodes.AuditFailed, decision.RulePath, "the gateway could not record this decision in its audit log, so the call is refused", decision.Rule);
        // Measured as what happened: refused, not what would have been.
        Observe(gate, audited with { Decision = AuditDecisions.Deny, Code = refused.Code }, refused);
        return new GateResult(false, refused, null);
    }

    /// <summary>Counts and traces a settled decision, and logs a call let through unchecked.</summary>
    private void Observe(GateCall gate, AuditRecord audited, Decision decision)
    {
        // A client may call any name; only names its server lists become labels (and span names).
        var listed = gate.Tools.TryGet(audited.Tool, out _);
        GatewayMetrics.RecordDecision(audited.Server, GatewayMetrics.ToolLabel(audited.Tool, listed), audited.Decision, audited.Code, audited.Mode);
        GatewayTracing.Decided(gate.Span, audited, listed);
        if (decision.Code == ReasonCodes.AllowedUnchecked)
        {
            GatewayMetrics.RecordFailOpen(gate.Call.Server);
            GateLog.FailedOpen(_logger, gate.Call.Server, new Relay.Untrusted(gate.Call.Tool), decision.Message);
        }
    }

    /// <summary>
    /// The message as the audit keeps it. An <c>invalid_arguments</c> message quotes the offending value (the
    /// agent needs it to correct the call), which may be a secret the redaction cannot see in free text: the
    /// audit keeps where the arguments failed (the rule path) and, when recorded, the redacted arguments, never the quote.
    /// </summary>
    private static string AuditedMessage(Decision decision) =>
        decision.Code == ReasonCodes.InvalidArguments ? WithheldArguments : decision.Message;

    /// <summary>What the audit says of refused arguments.</summary>
    public const string WithheldArguments = "the arguments did not validate (the rule path says where; the values are not repeated here)";

    private AuditRecord NewRecord(GateCall gate)
    {
        var arguments = gate.Call.ArgumentsOrEmpty;
        return new AuditRecord
        {
            Time = _time.GetUtcNow(),
            Grant = gate.Call.Grant,
            Session = gate.SessionLabel,
            Server = gate.Call.Server,
            Tool = gate.Call.Tool,
            Decision = AuditDecisions.Deny,
            Code = ReasonCodes.EvaluationError,
            RulePath = string.Empty,
            Message = string.Empty,
            ArgumentsSha256 = CanonicalJson.Sha256(arguments),
            Arguments = _settings.RecordArguments ? _settings.Redactor.Redact(arguments) : null,
            PolicyRevision = gate.Server.Policy.Revision,
            Evaluation = TimeSpan.Zero,
            Mode = gate.Server.Mode == EnforcementMode.Observe ? "observe" : "enforce",
        };
    }
}
