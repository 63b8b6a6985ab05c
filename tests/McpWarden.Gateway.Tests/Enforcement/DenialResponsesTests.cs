using System.Text.Json.Nodes;
using McpWarden.Gateway.Enforcement;
using McpWarden.Gateway.Limits;
using McpWarden.Gateway.Time;
using McpWarden.Policy.Evaluation;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Gateway.Tests.Enforcement;

public sealed class DenialResponsesTests
{
    private static readonly Policy.Compilation.CompiledPolicy Policy = Policies.Load("""
        {"version":"1","default":"deny","tools":{
          "wipe": {"action":"deny","reason":"destructive tools are off"},
          "run":  {"rate_limit":{"max":1,"window":60}}}}
        """);

    [Fact]
    public void ToolResult_RuleDenial_CarriesTextAndThePolicyObject()
    {
        var decision = PolicyEvaluator.Evaluate(Policy, Policies.Call("wipe"), ToolSnapshot.Everything);
        var result = DenialResponses.ToolResult(decision);

        Assert.True((bool)result["isError"]!);
        var text = (string)result["content"]![0]!["text"]!;
        Assert.Equal("The call was refused by policy (denied_by_rule): destructive tools are off. Do not retry this call.", text);
        var policy = result["_meta"]![DenialResponses.MetaKey]!;
        Assert.Equal(("deny", "denied_by_rule", "/tools/wipe", "destructive tools are off"), ((string)policy["decision"]!, (string)policy["code"]!, (string)policy["rule"]!, (string)policy["message"]!));
        Assert.Null(policy["retryAfterSeconds"]);
    }

    [Fact]
    public async Task ToolResult_RateLimited_SaysWhenToRetry()
    {
        var clock = new ManualTimeProvider(ManualTimeProvider.TestEpoch);
        var enforcer = new ToolCallEnforcer(new InMemoryCounterStore(clock));
        await enforcer.DecideAsync(Policy, Policies.Call("run"), ToolSnapshot.Everything, TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromSeconds(20.5));
        var decision = await enforcer.DecideAsync(Policy, Policies.Call("run"), ToolSnapshot.Everything, TestContext.Current.CancellationToken);

        var result = DenialResponses.ToolResult(decision);
        Assert.Equal(39.5, (double)result["_meta"]![DenialResponses.MetaKey]!["retryAfterSeconds"]!);
        Assert.EndsWith("Retrying after 39.5 seconds can succeed.", (string)result["content"]![0]!["text"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownTool_IsAProtocolErrorWithTheReasonInData()
    {
        var decision = PolicyEvaluator.Evaluate(Policy, Policies.Call("missing"), ToolSnapshot.Of([]));
        Assert.True(DenialResponses.IsProtocolError(decision));
        var error = DenialResponses.UnknownToolError(decision);
        Assert.Equal(-32602, error.Code);
        Assert.Equal("unknown_tool", (string)((JsonNode)error.Data!)["code"]!);
    }

    [Fact]
    public void HiddenTool_IsRefusedAsAPolicyDenialNotAsNotFound()
    {
        var decision = PolicyEvaluator.Evaluate(Policy, Policies.Call("other"), ToolSnapshot.Everything);
        Assert.False(DenialResponses.IsProtocolError(decision));
        Assert.Equal("default_deny", (string)DenialResponses.ToolResult(decision)["_meta"]![DenialResponses.MetaKey]!["code"]!);
    }

    [Fact]
    public void ToolResult_IsValidMcpToolResultShape()
    {
        var decision = PolicyEvaluator.Evaluate(Policy, Policies.Call("wipe"), ToolSnapshot.Everything);
        var result = DenialResponses.ToolResult(decision);
        Assert.IsType<JsonArray>(result["content"]);
        Assert.Equal("text", (string)result["content"]![0]!["type"]!);
    }
}
