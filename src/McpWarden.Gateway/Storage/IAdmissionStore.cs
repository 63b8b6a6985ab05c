using McpWarden.Gateway.Audit;
using McpWarden.Gateway.Limits;
using McpWarden.Policy.Evaluation;

namespace McpWarden.Gateway.Storage;

/// <summary>
/// A store that keeps a call's budgets and its audit record in one place can admit the call in one durable
/// write: its units consumed and its record appended together, both or neither. The gateway then waits on one
/// commit instead of two before forwarding. Optional: a store without it (in memory; Redis beside the file's
/// audit log) admits through <see cref="ICounterStore"/> then <see cref="IAuditSink"/>.
/// </summary>
public interface IAdmissionStore
{
    /// <summary>
    /// As <see cref="ICounterStore.TryConsumeAsync"/>; when every obligation has room, the record
    /// <paramref name="recordOf"/> makes of the outcome is appended in the same write, and returned with its id
    /// once both are durable. A refused consume appends nothing. When the record cannot be made or written this
    /// throws <see cref="AuditWriteException"/>, and no unit is consumed.
    /// </summary>
    ValueTask<Admission> TryConsumeAndAppendAsync(IReadOnlyList<LimitObligation> obligations, Func<CounterOutcome, AuditRecord> recordOf, CancellationToken cancellationToken = default);
}
