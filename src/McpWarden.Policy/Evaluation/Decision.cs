using System.Globalization;
using McpWarden.Policy.Compilation;

namespace McpWarden.Policy.Evaluation;

/// <summary>
/// What the policy says about one call, with everything an audit record needs: the outcome, the reason
/// code, the rule's JSON path, a message the agent can read, and what the call must still consume.
/// </summary>
public sealed class Decision
{
    private Decision(DecisionKind kind, string code, string rulePath, string message, IReadOnlyList<LimitObligation> obligations, CompiledRule? rule, TimeSpan? retryAfter, LimitObligation? blockingLimit)
    {
        Kind = kind;
        Code = code;
        RulePath = rulePath;
        Message = message;
        Obligations = obligations;
        Rule = rule;
        RetryAfter = retryAfter;
        BlockingLimit = blockingLimit;
    }

    public DecisionKind Kind { get; }

    /// <summary>A code from <see cref="ReasonCodes"/>.</summary>
    public string Code { get; }

    /// <summary>JSON path of what decided: a rule, one of its limits or its arguments, <c>/default</c>, or empty when no rule was reached.</summary>
    public string RulePath { get; }

    /// <summary>A sentence the agent (and a person reading the audit) can act on.</summary>
    public string Message { get; }

    /// <summary>The budgets an allowed or held call must consume, all or none.</summary>
    public IReadOnlyList<LimitObligation> Obligations { get; }

    /// <summary>The rule that matched, when one was reached.</summary>
    public CompiledRule? Rule { get; }

    /// <summary>For <c>rate_limited</c>: when a retry can succeed; null when it never can (the call alone exceeds the max).</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>For <c>rate_limited</c>: the limit that had no room.</summary>
    public LimitObligation? BlockingLimit { get; }

    /// <summary>For a held call: how long it waits for a person.</summary>
    public TimeSpan? ApprovalTimeout => Kind == DecisionKind.Approve ? Rule?.ApprovalTimeout : null;

    public bool IsAllowed => Kind == DecisionKind.Allow;

    public static Decision Allow(string rulePath, IReadOnlyList<LimitObligation> obligations, CompiledRule rule) =>
        new(DecisionKind.Allow, ReasonCodes.Allowed, rulePath, "allowed by the policy", obligations, rule, null, null);

    public static Decision Approve(string rulePath, IReadOnlyList<LimitObligation> obligations, CompiledRule rule) =>
        new(DecisionKind.Approve, ReasonCodes.ApprovalRequired, rulePath, "the policy requires a person to approve this call", obligations, rule, null, null);

    /// <summary>A call held because its arguments do not meet the rule's <c>approval.unless</c>; the detail says which one fails, for the person deciding.</summary>
    public static Decision ApproveNotExempt(IReadOnlyList<LimitObligation> obligations, CompiledRule rule, string detail)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new(DecisionKind.Approve, ReasonCodes.ApprovalRequired, rule.Path, $"the policy requires a person to approve this call: it does not meet approval.unless ({detail})", obligations, rule, null, null);
    }

    /// <summary>
    /// An <c>approve</c> rule's call whose arguments meet its <c>approval.unless</c>: allowed without a person, and the
    /// path names the <c>unless</c> so that the audit and <c>mcpwarden explain</c> say why no one was asked.
    /// </summary>
    public static Decision AllowWithoutApproval(IReadOnlyList<LimitObligation> obligations, CompiledRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new(DecisionKind.Allow, ReasonCodes.Allowed, rule.UnlessPath, "allowed without a person: the arguments meet the rule's approval.unless", obligations, rule, null, null);
    }

    /// <summary>A held call that a person approved: it goes on as an allow that remembers why.</summary>
    public static Decision Approved(Decision held)
    {
        ArgumentNullException.ThrowIfNull(held);
        return new(DecisionKind.Allow, ReasonCodes.Approved, held.RulePath, "approved by a person", held.Obligations, held.Rule, null, null);
    }

    /// <summary>
    /// An allowed call let through although its limits could not be checked (a store configured to fail open):
    /// it keeps its rule and obligations, and says so in its code and message.
    /// </summary>
    public static Decision AllowUnchecked(Decision allowed, string why)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        return new(DecisionKind.Allow, ReasonCodes.AllowedUnchecked, allowed.RulePath, $"{allowed.Message}, with its limits unchecked: {why}", allowed.Obligations, allowed.Rule, null, null);
    }

    public static Decision Deny(string code, string rulePath, string message, CompiledRule? rule = null) =>
        new(DecisionKind.Deny, code, rulePath, message, [], rule, null, null);

    /// <summary>The denial for a limit without room for the call.</summary>
    public static Decision RateLimited(LimitObligation blocking, TimeSpan? retryAfter, CompiledRule? rule)
    {
        var limit = blocking.Limit;
        var scope = limit.Scope.ToString().ToLowerInvariant();
        var budget = $"counter \"{limit.Counter}\" allows {Format(limit.Max)} per {Format((decimal)limit.Window.TotalSeconds)}s (scope {scope})";
        var when = retryAfter is { } wait
            ? $"retry after {Format(Math.Ceiling((decimal)wait.TotalMilliseconds) / 1000m)}s"
            : $"this call alone needs {Format(blocking.Units)} units, more than the max";
        var detail = $"rate limit reached: {budget}; {when}";
        var message = rule?.Reason is { } reason ? $"{reason} ({detail})" : detail;
        return new(DecisionKind.Deny, ReasonCodes.RateLimited, limit.Path, message, [], rule, retryAfter, blocking);
    }

    private static string Format(decimal value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} {Code} {(RulePath.Length == 0 ? "-" : RulePath)}: {Message}";
}
