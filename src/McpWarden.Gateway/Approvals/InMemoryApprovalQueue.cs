namespace McpWarden.Gateway.Approvals;

/// <summary>Approvals in process memory: for tests and <c>--ephemeral</c>. Every transition happens under one lock.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is a queue of held calls; the architecture names the port so.")]
public sealed class InMemoryApprovalQueue : IApprovalQueue
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public InMemoryApprovalQueue(TimeProvider time) => _time = time;

    public ValueTask<Approval> SubmitAsync(ApprovalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = _time.GetUtcNow();
        var approval = Approval.Submitted(request, now);
        lock (_gate)
        {
            _entries.Add(approval.Id, new Entry(approval));
        }

        return ValueTask.FromResult(approval);
    }

    public ValueTask<Approval?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_entries.TryGetValue(id, out var entry) ? Current(entry) : null);
        }
    }

    public ValueTask<IReadOnlyList<Approval>> ListAsync(ApprovalState state, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<Approval> found = [.. _entries.Values.Select(Current).Where(a => a.State == state).OrderBy(a => a.CreatedAt)];
            return ValueTask.FromResult(found);
        }
    }

    public ValueTask<ApprovalDecisionResult> DecideAsync(string id, bool approve, string? reason, string decidedBy, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(id, out var entry))
            {
                return ValueTask.FromResult(ApprovalDecisionResult.NotFound);
            }

            if (Current(entry).State != ApprovalState.Pending)
            {
                return ValueTask.FromResult(ApprovalDecisionResult.NotPending);
            }

            Settle(entry, approve ? ApprovalState.Approved : ApprovalState.Denied, decidedBy, reason);
            return ValueTask.FromResult(ApprovalDecisionResult.Decided);
        }
    }

    public async ValueTask<Approval> WaitAsync(string id, CancellationToken cancellationToken = default)
    {
        Entry entry;
        lock (_gate)
        {
            entry = _entries.TryGetValue(id, out var found) ? found : throw new KeyNotFoundException($"no approval has the id {id}");
        }

        var remaining = entry.Approval.ExpiresAt - _time.GetUtcNow();
        if (remaining > TimeSpan.Zero)
        {
            // The expiry timer is stopped as soon as a decision comes, so waits of up to a day do not pile up timers.
            using var expiry = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var expired = Task.Delay(remaining, _time, expiry.Token);
            await Task.WhenAny(entry.Settled.Task, expired).ConfigureAwait(false);
            await expiry.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        lock (_gate)
        {
            return Current(entry);
        }
    }

    public ValueTask<bool> TryUseAsync(string id, ApprovalBinding binding, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(id, out var entry) || entry.Approval.State != ApprovalState.Approved || entry.Approval.Binding != binding)
            {
                return ValueTask.FromResult(false);
            }

            entry.Approval = entry.Approval with { State = ApprovalState.Used };
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<bool> AbandonAsync(string id, string reason, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(id, out var entry) || Current(entry).State != ApprovalState.Pending)
            {
                return ValueTask.FromResult(false);
            }

            Settle(entry, ApprovalState.Abandoned, "gateway", reason);
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<int> AbandonOrphansAsync(Func<string, bool> ownerIsAlive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ownerIsAlive);
        lock (_gate)
        {
            var orphans = _entries.Values.Where(e => Current(e).State == ApprovalState.Pending && !ownerIsAlive(e.Approval.Owner)).ToList();
            foreach (var orphan in orphans)
            {
                Settle(orphan, ApprovalState.Abandoned, "gateway", "the gateway holding the call stopped");
            }

            return ValueTask.FromResult(orphans.Count);
        }
    }

    /// <summary>The approval as it stands now: a pending one past its expiry times out here, under the lock.</summary>
    private Approval Current(Entry entry)
    {
        if (entry.Approval.State == ApprovalState.Pending && _time.GetUtcNow() >= entry.Approval.ExpiresAt)
        {
            Settle(entry, ApprovalState.TimedOut, "gateway", "no one decided before the approval expired");
        }

        return entry.Approval;
    }

    private void Settle(Entry entry, ApprovalState state, string decidedBy, string? reason)
    {
        entry.Approval = entry.Approval with { State = state, DecidedAt = _time.GetUtcNow(), DecidedBy = decidedBy, Reason = reason };
        entry.Settled.TrySetResult();
    }

    private sealed class Entry(Approval approval)
    {
        public Approval Approval { get; set; } = approval;

        public TaskCompletionSource Settled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
