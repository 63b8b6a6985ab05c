namespace McpWarden.Gateway.Audit;

/// <summary>The audit log in process memory: for tests and <c>--ephemeral</c>. It forgets everything when the process ends.</summary>
public sealed class InMemoryAuditSink : IAuditSink
{
    private readonly Lock _gate = new();
    private readonly List<AuditRecord> _records = [];

    public ValueTask<AuditRecord> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            var stored = record with { Id = _records.Count + 1 };
            _records.Add(stored);
            return ValueTask.FromResult(stored);
        }
    }

    public ValueTask CompleteAsync(long id, string outcome, TimeSpan upstreamLatency, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (id < 1 || id > _records.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(id), id, "no audit record has this id");
            }

            _records[(int)id - 1] = _records[(int)id - 1] with { Outcome = outcome, UpstreamLatency = upstreamLatency };
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_gate)
        {
            IReadOnlyList<AuditRecord> found = [.. Enumerable.Reverse(_records).Where(query.Matches).Take(Math.Clamp(query.Limit, 1, AuditQuery.MaxLimit))];
            return ValueTask.FromResult(found);
        }
    }
}
