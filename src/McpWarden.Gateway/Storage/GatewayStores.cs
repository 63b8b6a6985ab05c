using McpWarden.Gateway.Approvals;
using McpWarden.Gateway.Audit;
using McpWarden.Gateway.Limits;
using McpWarden.Gateway.Pinning;

namespace McpWarden.Gateway.Storage;

/// <summary>
/// The gateway's state, behind its ports: budgets, held calls, the audit log, pinned tool definitions. One implementation of each,
/// chosen by the configuration's <c>store</c> (or in memory, for <c>--ephemeral</c> and tests).
/// </summary>
public sealed class GatewayStores : IAsyncDisposable
{
    private readonly IDisposable? _owner;

    /// <param name="owner">What to dispose with the stores (the database they share), if anything.</param>
    public GatewayStores(ICounterStore counters, IApprovalQueue approvals, IAuditSink audit, IPinStore pins, IDisposable? owner = null)
    {
        Pins = pins;
        Counters = counters;
        Approvals = approvals;
        Audit = audit;
        _owner = owner;
    }

    public ICounterStore Counters { get; }

    public IApprovalQueue Approvals { get; }

    public IAuditSink Audit { get; }

    public IPinStore Pins { get; }

    /// <summary>
    /// Set when <see cref="Counters"/> and <see cref="Audit"/> live in one store that can admit a call in one write
    /// (its units and its record committed together); null otherwise.
    /// </summary>
    public IAdmissionStore? Admissions { get; init; }

    /// <summary>
    /// Whether a call whose limits cannot be checked because the store is unreachable goes on unchecked (logged and
    /// counted) rather than being refused. Set only for a shared store configured <c>failOpen</c>.
    /// </summary>
    public bool LimitsFailOpen { get; init; }

    /// <summary>What keeps the state, as <c>/healthz</c> names it: <c>memory</c>, <c>sqlite</c> or <c>redis</c>.</summary>
    public string Kind { get; init; } = "memory";

    /// <summary>Whether the store answers now; an embedded one always does (its failures surface per operation).</summary>
    public Func<bool> IsReachable { get; init; } = static () => true;

    /// <summary>Everything in process memory, forgotten when the process ends.</summary>
    public static GatewayStores InMemory(TimeProvider time) =>
        new(new InMemoryCounterStore(time), new InMemoryApprovalQueue(time), new InMemoryAuditSink(), new InMemoryPinStore(time));

    public ValueTask DisposeAsync()
    {
        // The owner finishes the writes already queued before it closes: nothing admitted is lost on a clean stop.
        _owner?.Dispose();
        return ValueTask.CompletedTask;
    }
}
