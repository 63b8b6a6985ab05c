using McpWarden.Gateway.Audit;

namespace McpWarden.Gateway.Tests.Enforcement;

/// <summary>Isolation only: an audit log that cannot be written (after <see cref="FailAfter"/> records), as a full disk would refuse.</summary>
internal sealed class FailingAuditSink : IAuditSink
{
    private readonly InMemoryAuditSink _inner = new();
    private int _appended;

    public int FailAfter { get; init; }

    public ValueTask<AuditRecord> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default) =>
        Interlocked.Increment(ref _appended) > FailAfter
            ? throw new IOException("disk full")
            : _inner.AppendAsync(record, cancellationToken);

    public ValueTask CompleteAsync(long id, string outcome, TimeSpan upstreamLatency, CancellationToken cancellationToken = default) =>
        throw new IOException("disk full");

    public ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default) => _inner.QueryAsync(query, cancellationToken);
}
