using System.Threading.Channels;
using McpWarden.Gateway.Approvals;

namespace McpWarden.Gateway.Tests.Enforcement;

/// <summary>Isolation only: the in-memory queue, telling the test when a held call starts waiting on its approval.</summary>
internal sealed class WatchedApprovalQueue(IApprovalQueue inner) : IApprovalQueue
{
    public Channel<string> Waiting { get; } = Channel.CreateUnbounded<string>();

    /// <summary>When set, waiting fails as a store that has lost its disk would.</summary>
    public bool FailWaits { get; set; }

    public ValueTask<Approval> SubmitAsync(ApprovalRequest request, CancellationToken cancellationToken = default) => inner.SubmitAsync(request, cancellationToken);

    public ValueTask<Approval?> GetAsync(string id, CancellationToken cancellationToken = default) => inner.GetAsync(id, cancellationToken);

    public ValueTask<IReadOnlyList<Approval>> ListAsync(ApprovalState state, CancellationToken cancellationToken = default) => inner.ListAsync(state, cancellationToken);

    public ValueTask<ApprovalDecisionResult> DecideAsync(string id, bool approve, string? reason, string decidedBy, CancellationToken cancellationToken = default) =>
        inner.DecideAsync(id, approve, reason, decidedBy, cancellationToken);

    public ValueTask<Approval> WaitAsync(string id, CancellationToken cancellationToken = default)
    {
        if (FailWaits)
        {
            return ValueTask.FromException<Approval>(new InvalidOperationException("disk I/O error"));
        }

        var waiting = inner.WaitAsync(id, cancellationToken);
        Waiting.Writer.TryWrite(id);
        return waiting;
    }

    public ValueTask<bool> TryUseAsync(string id, ApprovalBinding binding, CancellationToken cancellationToken = default) => inner.TryUseAsync(id, binding, cancellationToken);

    public ValueTask<bool> AbandonAsync(string id, string reason, CancellationToken cancellationToken = default) => inner.AbandonAsync(id, reason, cancellationToken);

    public ValueTask<int> AbandonOrphansAsync(Func<string, bool> ownerIsAlive, CancellationToken cancellationToken = default) => inner.AbandonOrphansAsync(ownerIsAlive, cancellationToken);
}
