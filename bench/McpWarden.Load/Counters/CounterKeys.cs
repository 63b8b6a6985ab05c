using System.Globalization;
using McpWarden.Policy;
using McpWarden.Policy.Evaluation;

namespace McpWarden.Load.Counters;

/// <summary>
/// The obligations of the run, one per key, made by the real policy evaluator: one limit scoped per session (a
/// minute's window, a max no run reaches), evaluated for sessions <c>s0</c> … <c>sN-1</c>, so each has its own budget
/// key exactly as the gateway would form it.
/// </summary>
internal static class CounterKeys
{
    private const string Policy = """
        {"version":"1","default":"deny","tools":{"t":{"limits":[{"counter":"per_session","window":"minute","max":1000000000000,"scope":"session"}]}}}
        """;

    public static IReadOnlyList<LimitObligation>[] Build(int keys)
    {
        var policy = PolicyLoader.LoadText("counters.json", Policy).Policy ?? throw new InvalidOperationException("the counters policy does not load");
        var obligations = new IReadOnlyList<LimitObligation>[keys];
        for (var i = 0; i < keys; i++)
        {
            var call = new ToolCall("bench", "t", default, "agent", "s" + i.ToString(CultureInfo.InvariantCulture));
            obligations[i] = PolicyEvaluator.Evaluate(policy, call, ToolSnapshot.Everything).Obligations;
        }

        if (obligations.Select(o => o.Single().Key).Distinct(StringComparer.Ordinal).Count() != keys)
        {
            throw new InvalidOperationException("the sessions did not give distinct budget keys");
        }

        return obligations;
    }
}
