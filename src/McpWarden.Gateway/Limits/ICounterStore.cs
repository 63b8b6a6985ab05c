using McpWarden.Policy.Evaluation;

namespace McpWarden.Gateway.Limits;

/// <summary>
/// Sliding-window budgets, checked and consumed atomically. Every implementation passes the counter-store
/// contract tests: under any concurrency the units admitted in any window never exceed the max.
/// </summary>
public interface ICounterStore
{
    /// <summary>
    /// Takes every obligation's units if every one has room, or none of them: a refused call consumes nothing.
    /// </summary>
    ValueTask<CounterOutcome> TryConsumeAsync(IReadOnlyList<LimitObligation> obligations, CancellationToken cancellationToken = default);

    /// <summary>Whether every obligation has room now, without taking anything (before a call waits for approval).</summary>
    ValueTask<CounterOutcome> CheckAsync(IReadOnlyList<LimitObligation> obligations, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every budget that has units in its window now, with what it used and when its oldest units leave, in key
    /// order. Reads only: it neither consumes nor frees anything. An empty budget is not listed.
    /// </summary>
    ValueTask<IReadOnlyList<CounterUsage>> UsageAsync(CancellationToken cancellationToken = default);
}
