namespace McpWarden.Policy.Evaluation;

/// <summary>The machine-readable reasons a decision gives; stable, documented in docs/policy.md.</summary>
public static class ReasonCodes
{
    /// <summary>A rule allowed the call.</summary>
    public const string Allowed = "allowed";

    /// <summary>A rule holds the call for a person.</summary>
    public const string ApprovalRequired = "approval_required";

    /// <summary>A person approved a held call.</summary>
    public const string Approved = "approved";

    /// <summary>
    /// An allowed (or approved) call let through with its limits unchecked, because the shared store could not be
    /// reached and is configured <c>failOpen</c>.
    /// </summary>
    public const string AllowedUnchecked = "allowed_unchecked";

    public const string DefaultDeny = "default_deny";
    public const string DeniedByRule = "denied_by_rule";
    public const string UnknownTool = "unknown_tool";
    public const string InvalidArguments = "invalid_arguments";
    public const string RateLimited = "rate_limited";
    public const string ApprovalDenied = "approval_denied";
    public const string ApprovalTimeout = "approval_timeout";
    public const string ToolChanged = "tool_changed";

    /// <summary>The poisoning scan flagged the tool's definition and its server's <c>scan</c> is <c>hide</c>.</summary>
    public const string ToolFlagged = "tool_flagged";

    /// <summary>The tool name is not NFC or contains control or invisible characters.</summary>
    public const string InvalidToolName = "invalid_tool_name";

    /// <summary>The held call went away (cancelled, session closed, gateway stopped) before a person decided.</summary>
    public const string ApprovalAbandoned = "approval_abandoned";

    /// <summary>The decision could not be written to the audit log, so the call is refused (fail closed).</summary>
    public const string AuditFailed = "audit_failed";

    /// <summary>Something went wrong while deciding; the call is refused (fail closed).</summary>
    public const string EvaluationError = "evaluation_error";

    /// <summary>The store the call needs (its limits, its approval, its tool's pin) could not be reached; the call is refused (fail closed).</summary>
    public const string StoreUnavailable = "store_unavailable";
}
