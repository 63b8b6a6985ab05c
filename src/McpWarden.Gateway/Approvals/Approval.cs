namespace McpWarden.Gateway.Approvals;

/// <summary>One held call and what became of it.</summary>
public sealed record Approval
{
    /// <summary>Unguessable (128 random bits, hex), so that knowing one id tells nothing of another.</summary>
    public required string Id { get; init; }

    public required ApprovalBinding Binding { get; init; }

    public required string Session { get; init; }

    /// <summary>Canonical JSON, secrets redacted.</summary>
    public required string Arguments { get; init; }

    public required string RulePath { get; init; }

    public required string Message { get; init; }

    public required string Owner { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>A decision must come before this instant, or the call gets <c>approval_timeout</c>.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    public required ApprovalState State { get; init; }

    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>Who decided: <c>admin</c> (the admin API or CLI), <c>client</c> (the calling client's user), or <c>gateway</c> (timeout, abandonment).</summary>
    public string? DecidedBy { get; init; }

    /// <summary>The reason a person gave, if any.</summary>
    public string? Reason { get; init; }

    /// <summary>Whether the approval is settled: nothing can change it any more but a use of an approved one.</summary>
    public bool IsDecided => State != ApprovalState.Pending;

    /// <summary>A held call just submitted: pending under a new unguessable id, expiring after its timeout. Every queue starts one so.</summary>
    public static Approval Submitted(ApprovalRequest request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new Approval
        {
            Id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)),
            Binding = request.Binding,
            Session = request.Session,
            Arguments = request.Arguments,
            RulePath = request.RulePath,
            Message = request.Message,
            Owner = request.Owner,
            CreatedAt = now,
            ExpiresAt = now + request.Timeout,
            State = ApprovalState.Pending,
        };
    }
}
