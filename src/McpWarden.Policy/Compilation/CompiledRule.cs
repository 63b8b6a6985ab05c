using McpWarden.Policy.Definitions;
using McpWarden.Policy.Evaluation;
using McpWarden.Policy.Schema;

namespace McpWarden.Policy.Compilation;

/// <summary>A rule ready for evaluation, with the decisions that need no per-call data built once.</summary>
public sealed class CompiledRule
{
    internal CompiledRule(string path, string key, PolicyAction action, string? reason, IReadOnlyList<CompiledLimit> limits, CompiledSchema? arguments, ApprovalDefinition approval, bool isDefault, CompiledSchema? unless = null)
    {
        Path = path;
        Key = key;
        Action = action;
        Reason = reason;
        Limits = limits;
        Arguments = arguments;
        ApprovalTimeout = approval.Timeout;
        ApprovalVia = approval.Via;
        Unless = unless;
        IsDefault = isDefault;

        // INVARIANT: a rule's fixed outcomes are built here once, so deciding them allocates nothing.
        FixedDecision = action switch
        {
            PolicyAction.Deny when isDefault => Decision.Deny(ReasonCodes.DefaultDeny, path, "no rule allows this tool, and the policy's default is deny"),
            PolicyAction.Deny => Decision.Deny(ReasonCodes.DeniedByRule, path, reason ?? $"the policy denies {key}"),
            PolicyAction.Allow when limits.Count == 0 => Decision.Allow(path, [], this),
            PolicyAction.Approve when limits.Count == 0 && unless is null => Decision.Approve(path, [], this),
            _ => null,
        };
    }

    /// <summary>JSON path of the rule in the policy (<c>/tools/NAME</c>, or <c>/default</c>).</summary>
    public string Path { get; }

    /// <summary>The tool name or pattern as written, in NFC.</summary>
    public string Key { get; }

    public PolicyAction Action { get; }

    /// <summary>The user's words for the agent when this rule denies a call.</summary>
    public string? Reason { get; }

    public IReadOnlyList<CompiledLimit> Limits { get; }

    /// <summary>The rule's own argument constraints, if any.</summary>
    public CompiledSchema? Arguments { get; }

    /// <summary>How long a held call waits for a decision.</summary>
    public TimeSpan ApprovalTimeout { get; }

    /// <summary>Who is asked to decide a held call.</summary>
    public ApprovalChannel ApprovalVia { get; }

    /// <summary>
    /// For an <c>approve</c> rule: the <c>approval.unless</c> schema; a call whose arguments validate against it
    /// needs no person. Null when every call is held.
    /// </summary>
    public CompiledSchema? Unless { get; }

    /// <summary>JSON path of <see cref="Unless"/>: what decided a call it let through.</summary>
    public string UnlessPath => Path + "/approval/unless";

    /// <summary>True for the rule that stands for the policy's <c>default</c>.</summary>
    public bool IsDefault { get; }

    /// <summary>The outcome when it does not depend on the call (a deny, or an allow without limits), else null.</summary>
    internal Decision? FixedDecision { get; }
}
