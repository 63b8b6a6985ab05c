namespace McpWarden.Gateway.Audit;

/// <summary>
/// The audit log: one record per decision, never dropped silently. Every implementation passes the
/// audit-sink contract tests.
/// </summary>
public interface IAuditSink
{
    /// <summary>
    /// Appends a record and returns it with its id once it is durable. Throws when it cannot be written: the
    /// gateway then refuses the call, so that an admitted call never goes unrecorded.
    /// </summary>
    ValueTask<AuditRecord> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default);

    /// <summary>Records what the server answered to the forwarded call of record <paramref name="id"/>, and how long it took.</summary>
    ValueTask CompleteAsync(long id, string outcome, TimeSpan upstreamLatency, CancellationToken cancellationToken = default);

    /// <summary>The records that match, newest first.</summary>
    ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default);
}
