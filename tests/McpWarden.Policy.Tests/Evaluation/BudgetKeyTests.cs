using McpWarden.Policy.Definitions;
using McpWarden.Policy.Evaluation;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Policy.Tests.Evaluation;

public sealed class BudgetKeyTests
{
    private static readonly McpWarden.Policy.Compilation.CompiledPolicy Partitioned = Policies.Load("""
        {"version":"1","default":"deny","tools":{
          "pay":  {"limits":[{"counter":"per_payee","window":60,"max":3,"by":"payee"}]},
          "send": {"limits":[{"counter":"sends","window":"hour","max":5,"scope":"session"}]},
          "all":  {"limits":[{"counter":"every:one%","window":"day","max":9,"scope":"global"}]}
        }}
        """);

    private static string KeyOf(string tool, string arguments = "{}", string grant = "g1", string session = "s1", string server = "srv")
    {
        var decision = PolicyEvaluator.Evaluate(Partitioned, Policies.Call(tool, arguments, grant, session, server), ToolSnapshot.Everything);
        Assert.Equal(DecisionKind.Allow, decision.Kind);
        return Assert.Single(decision.Obligations).Key;
    }

    [Fact]
    public void TryParse_KeyOfAGrantBudgetWithAColonInEveryPart_ReadsBackEveryPart()
    {
        var key = KeyOf("pay", """{"payee":"a:b%c"}""", grant: "ops:team%1", server: "pay:ments");
        Assert.True(BudgetKey.TryParse(key, out var parsed));
        Assert.Equal((LimitScope.Grant, "pay:ments", "ops:team%1", "per_payee"), (parsed.Scope, parsed.Server, parsed.Owner, parsed.Counter));
        Assert.Equal((BudgetPartitionKind.Text, "a:b%c"), (parsed.PartitionKind, parsed.PartitionDisplay));
        Assert.Equal(key, parsed.Text);
    }

    [Fact]
    public void TryParse_SessionAndGlobalBudgets_HaveTheirOwnerOrNone()
    {
        Assert.True(BudgetKey.TryParse(KeyOf("send", session: "session-7"), out var session));
        Assert.Equal((LimitScope.Session, "session-7", "sends", (string?)null), (session.Scope, session.Owner, session.Counter, session.Partition));
        Assert.True(BudgetKey.TryParse(KeyOf("all"), out var global));
        Assert.Equal((LimitScope.Global, string.Empty, "every:one%"), (global.Scope, global.Owner, global.Counter));
    }

    [Fact]
    public void TryParse_NonStringAndLongPartitions_SayHowTheyWereKept()
    {
        Assert.True(BudgetKey.TryParse(KeyOf("pay", """{"payee":{"b":1,"a":[true]}}"""), out var json));
        Assert.Equal((BudgetPartitionKind.Json, """{"a":[true],"b":1}"""), (json.PartitionKind, json.PartitionDisplay));
        Assert.True(BudgetKey.TryParse(KeyOf("pay", $$"""{"payee":"{{new string('x', 200)}}"}"""), out var hashed));
        Assert.Equal(BudgetPartitionKind.Sha256, hashed.PartitionKind);
        Assert.Matches("^[0-9a-f]{64}$", hashed.PartitionDisplay);
    }

    [Theory]
    [InlineData("")]
    [InlineData("grant:srv:g1")]
    [InlineData("tenant:srv:g1:c")]
    [InlineData("grant:srv:g1:c:s1:extra")]
    [InlineData("grant:srv::c")]
    [InlineData("global:srv:someone:c")]
    [InlineData("grant:srv:g1:")]
    [InlineData("grant:srv:g%41:c")]
    [InlineData("grant:srv:g1:c:x1")]
    [InlineData("grant:srv:g1:c:habc")]
    public void TryParse_TextNoBudgetKeyHas_IsRefused(string text) =>
        Assert.False(BudgetKey.TryParse(text, out _));
}
