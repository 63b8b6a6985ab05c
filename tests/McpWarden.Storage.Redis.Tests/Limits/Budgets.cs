using McpWarden.Policy.Compilation;
using McpWarden.Policy.Evaluation;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Storage.Redis.Tests.Limits;

/// <summary>Obligations as the evaluator derives them from a policy, so that the store sees what the gateway sends it.</summary>
internal static class Budgets
{
    /// <summary>A policy whose tool <c>pay</c> counts its <c>amount</c> against a day's <paramref name="max"/>, and <c>call</c> counts one unit a minute against it.</summary>
    public static CompiledPolicy Spend(string max, string scope = "grant") => Policies.Load($$$"""
        {"version":"1","default":"deny","tools":{
          "pay":  {"limits":[{"counter":"spend","window":"day","max":{{{max}}},"cost":"amount","scope":"{{{scope}}}"}]},
          "call": {"limits":[{"counter":"calls","window":60,"max":{{{max}}},"scope":"{{{scope}}}"}]}
        }}
        """);

    public static IReadOnlyList<LimitObligation> Obligations(CompiledPolicy policy, string tool, string arguments = "{}", string grant = "g1")
    {
        var decision = PolicyEvaluator.Evaluate(policy, Policies.Call(tool, arguments, grant), ToolSnapshot.Everything);
        Assert.Equal(DecisionKind.Allow, decision.Kind);
        return decision.Obligations;
    }

    /// <summary>A payment of <paramref name="amount"/>, written as JSON number text exactly as given.</summary>
    public static IReadOnlyList<LimitObligation> Pay(CompiledPolicy policy, string amount, string grant = "g1") =>
        Obligations(policy, "pay", $$"""{"amount":{{amount}}}""", grant);
}
