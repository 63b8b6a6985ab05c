using McpWarden.Policy.Compilation;

namespace McpWarden.Policy.Evaluation;

/// <summary>
/// One budget a call must fit in: the evaluator derives it (key and units) and the gateway fulfils it
/// through a counter store, atomically with the call's other obligations.
/// </summary>
/// <param name="Key">The budget's identity: scope, scope owner, counter name and partition.</param>
/// <param name="Units">What the call takes: 1, or the value of the limit's <c>cost</c> argument.</param>
/// <param name="Limit">The compiled limit this came from (window, max, path).</param>
public sealed record LimitObligation(string Key, decimal Units, CompiledLimit Limit)
{
    public TimeSpan Window => Limit.Window;

    public decimal Max => Limit.Max;
}
