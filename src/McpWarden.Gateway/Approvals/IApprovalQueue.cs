namespace McpWarden.Gateway.Approvals;

/// <summary>
/// Held calls waiting for a person, and the decisions taken. Every transition is atomic in the store: an
/// approval is decided at most once, cannot be decided after its expiry, and an approved one is used at most
/// once, and only by a call that matches its binding exactly. Every implementation passes the
/// approval-queue contract tests.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is a queue of held calls; the architecture names the port so.")]
public interface IApprovalQueue
{
    /// <summary>Records a held call as pending, expiring after its timeout; returns it with its id.</summary>
    ValueTask<Approval> SubmitAsync(ApprovalRequest request, CancellationToken cancellationToken = default);

    ValueTask<Approval?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Approvals in a state (pending ones, say), oldest first; one whose expiry passed is reported timed out.</summary>
    ValueTask<IReadOnlyList<Approval>> ListAsync(ApprovalState state, CancellationToken cancellationToken = default);

    /// <summary>A decision: only a pending approval whose expiry has not passed takes it.</summary>
    /// <param name="decidedBy">Who decided (<c>admin</c>, <c>client</c>).</param>
    ValueTask<ApprovalDecisionResult> DecideAsync(string id, bool approve, string? reason, string decidedBy, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits until the approval is decided or its expiry passes (then it is marked timed out, so that a late
    /// decision is refused), and returns it as it ended. Decisions taken by another process sharing the store are seen too.
    /// </summary>
    ValueTask<Approval> WaitAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Marks an approved approval used, if it is approved and matches <paramref name="binding"/> exactly; true only for that one use.</summary>
    ValueTask<bool> TryUseAsync(string id, ApprovalBinding binding, CancellationToken cancellationToken = default);

    /// <summary>Marks a pending approval abandoned because its call is gone (cancelled by the client, session closed); false when it was no longer pending.</summary>
    ValueTask<bool> AbandonAsync(string id, string reason, CancellationToken cancellationToken = default);

    /// <summary>
    /// At startup: pending approvals whose owner process is gone (a gateway that stopped or was killed) are
    /// marked abandoned, never approved. Returns how many.
    /// </summary>
    ValueTask<int> AbandonOrphansAsync(Func<string, bool> ownerIsAlive, CancellationToken cancellationToken = default);
}
