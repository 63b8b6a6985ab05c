namespace McpWarden.Gateway.Audit;

/// <summary>
/// One decision about one <c>tools/call</c>, as the audit log keeps it. A call held for a person leaves two
/// records: the hold, then the outcome of the person's decision. A call that reached the server also gets
/// what the server answered and how long it took, filled in when the answer came.
/// </summary>
public sealed record AuditRecord
{
    /// <summary>Assigned by the sink when the record is appended; 0 before.</summary>
    public long Id { get; init; }

    public required DateTimeOffset Time { get; init; }

    public required string Grant { get; init; }

    /// <summary>The MCP session's log label (never the session id itself, which is a credential).</summary>
    public required string Session { get; init; }

    public required string Server { get; init; }

    public required string Tool { get; init; }

    /// <summary>One of <see cref="AuditDecisions"/>.</summary>
    public required string Decision { get; init; }

    /// <summary>The reason code (<c>allowed</c>, <c>rate_limited</c>, <c>approval_denied</c>, …).</summary>
    public required string Code { get; init; }

    /// <summary>The JSON path of what decided in the policy; empty when no rule was reached.</summary>
    public required string RulePath { get; init; }

    public required string Message { get; init; }

    /// <summary>Lower-case hex SHA-256 of the canonical JSON of the call's arguments.</summary>
    public required string ArgumentsSha256 { get; init; }

    /// <summary>The arguments as canonical JSON with secrets redacted, when the configuration records them; else null.</summary>
    public string? Arguments { get; init; }

    /// <summary>The revision of the policy that decided.</summary>
    public required string PolicyRevision { get; init; }

    /// <summary>How long deciding took, counters included, approvals not.</summary>
    public required TimeSpan Evaluation { get; init; }

    /// <summary><c>enforce</c>, or <c>observe</c> when the decision was made but nothing was refused.</summary>
    public required string Mode { get; init; }

    /// <summary>The approval a held call waited on, if any.</summary>
    public string? ApprovalId { get; init; }

    /// <summary>One of <see cref="AuditOutcomes"/> once the server answered a forwarded call; null for a call never forwarded or still running.</summary>
    public string? Outcome { get; init; }

    /// <summary>From forwarding to the server's answer.</summary>
    public TimeSpan? UpstreamLatency { get; init; }
}
