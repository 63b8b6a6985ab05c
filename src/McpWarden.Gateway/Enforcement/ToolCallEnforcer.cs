using McpWarden.Gateway.Audit;
using McpWarden.Gateway.Limits;
using McpWarden.Gateway.Storage;
using McpWarden.Gateway.Telemetry;
using McpWarden.Policy.Compilation;
using McpWarden.Policy.Evaluation;

namespace McpWarden.Gateway.Enforcement;

/// <summary>
/// Carries a policy decision through its obligations: the pure evaluator decides, then the counter store
/// checks and consumes the call's limits atomically. The gateway and <c>mcpwarden test</c> both decide
/// through this, so a policy test proves what the gateway does.
/// </summary>
public sealed class ToolCallEnforcer
{
    private readonly ICounterStore _counters;
    private readonly bool _failOpen;
    private readonly IAdmissionStore? _admissions;

    /// <param name="failOpen">
    /// When the store cannot be reached (<see cref="StoreUnavailableException"/>), let an allowed call through with
    /// its limits unchecked (<c>allowed_unchecked</c>) instead of refusing it (<c>store_unavailable</c>). Any other
    /// failure of the store still refuses.
    /// </param>
    /// <param name="admissions">
    /// When the counters and the audit log share a store that can write both at once: an allowed call's units and its
    /// record then go in one write (<see cref="DecideAndRecordAsync"/>).
    /// </param>
    public ToolCallEnforcer(ICounterStore counters, bool failOpen = false, IAdmissionStore? admissions = null)
    {
        _counters = counters;
        _failOpen = failOpen;
        _admissions = admissions;
    }

    /// <summary>
    /// As <see cref="DecideAsync"/>, and an allowed call with limits is also recorded, in the same write as its
    /// units when the store can (<see cref="IAdmissionStore"/>): <paramref name="recordOf"/> makes its record of the
    /// decision. Otherwise nothing is recorded here and the caller appends the record itself.
    /// </summary>
    public async ValueTask<RecordedDecision> DecideAndRecordAsync(CompiledPolicy policy, ToolCall call, ToolSnapshot tools, Func<Decision, AuditRecord> recordOf, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recordOf);
        if (_admissions is null)
        {
            return new RecordedDecision(await DecideAsync(policy, call, tools, cancellationToken).ConfigureAwait(false), null, null);
        }

        var decision = PolicyEvaluator.Evaluate(policy, call, tools);
        if (decision.Kind != DecisionKind.Allow || decision.Obligations.Count == 0)
        {
            return new RecordedDecision(await ObligeAsync(decision, call, cancellationToken).ConfigureAwait(false), null, null);
        }

        try
        {
            var admission = await _admissions.TryConsumeAndAppendAsync(decision.Obligations, _ => recordOf(decision), cancellationToken).ConfigureAwait(false);
            RecordUsage(call.Server, admission.Outcome);
            return admission.Outcome.Admitted
                ? new RecordedDecision(decision, admission.Record, null)
                : new RecordedDecision(Decision.RateLimited(admission.Outcome.Blocking!, admission.Outcome.RetryAfter, decision.Rule), null, null);
        }
        catch (AuditWriteException e)
        {
            // Nothing was consumed; the call is refused as any decision that cannot be recorded.
            return new RecordedDecision(decision, null, e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The units could not be checked (or the write not committed): nothing of it is kept, as for a failed consume.
            GatewayMetrics.RecordStoreError(GatewayMetrics.StoreParts.Counters, e);
            return new RecordedDecision(StoreFailed(decision, e), null, null);
        }
    }

    /// <summary>
    /// The decision for one call. An allowed call has consumed its units when this returns; a call held
    /// for approval has only been checked for room (it consumes through <see cref="ConsumeApprovedAsync"/>).
    /// </summary>
    public async ValueTask<Decision> DecideAsync(CompiledPolicy policy, ToolCall call, ToolSnapshot tools, CancellationToken cancellationToken = default)
    {
        return await ObligeAsync(PolicyEvaluator.Evaluate(policy, call, tools), call, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The evaluator's decision through the counters: an allowed call consumes, a held one is checked for room.</summary>
    private async ValueTask<Decision> ObligeAsync(Decision decision, ToolCall call, CancellationToken cancellationToken)
    {
        if (decision.Kind == DecisionKind.Deny || decision.Obligations.Count == 0)
        {
            return decision;
        }

        try
        {
            var outcome = decision.Kind == DecisionKind.Allow
                ? await _counters.TryConsumeAsync(decision.Obligations, cancellationToken).ConfigureAwait(false)
                : await _counters.CheckAsync(decision.Obligations, cancellationToken).ConfigureAwait(false);
            if (decision.Kind == DecisionKind.Allow)
            {
                // A held call has only been checked: its usage counts once it consumes, if a person approves it.
                RecordUsage(call.Server, outcome);
            }

            return outcome.Admitted ? decision : Decision.RateLimited(outcome.Blocking!, outcome.RetryAfter, decision.Rule);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            GatewayMetrics.RecordStoreError(GatewayMetrics.StoreParts.Counters, e);
            // A held call is only checked here; if it is approved, ConsumeApprovedAsync decides how it goes on.
            return decision.Kind == DecisionKind.Approve && _failOpen && e is StoreUnavailableException ? decision : StoreFailed(decision, e);
        }
    }

    /// <summary>
    /// After a person approved a held call: consumes its limits, which may have filled meanwhile
    /// (then the call is <c>rate_limited</c> after all).
    /// </summary>
    /// <param name="server">The server the call is for (its limits' usage is reported under it).</param>
    public async ValueTask<Decision> ConsumeApprovedAsync(Decision held, string server, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(held);
        try
        {
            var outcome = await _counters.TryConsumeAsync(held.Obligations, cancellationToken).ConfigureAwait(false);
            RecordUsage(server, outcome);
            return outcome.Admitted ? Decision.Approved(held) : Decision.RateLimited(outcome.Blocking!, outcome.RetryAfter, held.Rule);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            GatewayMetrics.RecordStoreError(GatewayMetrics.StoreParts.Counters, e);
            return StoreFailed(Decision.Approved(held), e);
        }
    }

    private static void RecordUsage(string server, CounterOutcome outcome)
    {
        if (outcome is { Admitted: true, Fullest: { } fullest })
        {
            GatewayMetrics.RecordLimitUsage(server, fullest);
        }
    }

    /// <summary>
    /// Fail closed: a budget that cannot be checked admits nothing; only an unreachable store configured to fail
    /// open lets an allowed call through, marked unchecked.
    /// </summary>
    private Decision StoreFailed(Decision decision, Exception e) => e switch
    {
        StoreUnavailableException unavailable when _failOpen && decision.Kind == DecisionKind.Allow => Decision.AllowUnchecked(decision, unavailable.Reason),
        StoreUnavailableException unavailable => Decision.Deny(ReasonCodes.StoreUnavailable, decision.RulePath, $"the call's limits could not be checked, so it is refused: {unavailable.Reason}", decision.Rule),
        _ => Decision.Deny(ReasonCodes.EvaluationError, decision.RulePath, $"the call's limits could not be checked, so it is refused: {e.Message}", decision.Rule),
    };
}
