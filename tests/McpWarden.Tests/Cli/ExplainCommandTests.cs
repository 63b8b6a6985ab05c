using System.Text.Json;
using McpWarden.Cli;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Tests.Cli;

public sealed class ExplainCommandTests
{
    private static readonly string Seed = Path.Combine(RepositoryPaths.Samples, "policies", "run-workflow.json");

    private static (int Exit, string Output, string Error) Explain(string tool, string? arguments = null, bool json = false, string policy = "")
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var request = new ExplainRequest(policy.Length == 0 ? Seed : policy, tool, arguments, "default", "local", "s1", json);
        var exit = ExplainCommand.RunAsync(request, output, error, TestContext.Current.CancellationToken).GetAwaiter().GetResult();
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void Explain_AllowedTool_ShowsRuleAndTheLimitItWouldConsume()
    {
        var (exit, output, _) = Explain("run_workflow");
        Assert.Equal(0, exit);
        Assert.Equal(
            """
            decision: allow
            code: allowed
            rule: /tools/run_workflow
            message: allowed by the policy
            limit: /tools/run_workflow/limits/0 counter "run_workflow_rate" takes 1 of 10 per 60s (budget grant:default:local:run_workflow_rate)
            """,
            output.Trim().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Explain_OtherTool_IsTheDefaultDeny()
    {
        var (_, output, _) = Explain("delete_workflow");
        Assert.Contains("decision: deny", output, StringComparison.Ordinal);
        Assert.Contains("code: default_deny", output, StringComparison.Ordinal);
        Assert.Contains("rule: /default", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_Json_IsMachineReadable()
    {
        var (exit, output, _) = Explain("run_workflow", json: true);
        Assert.Equal(0, exit);
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        Assert.Equal("allow", root.GetProperty("decision").GetString());
        Assert.Equal("run_workflow_rate", root.GetProperty("limits")[0].GetProperty("counter").GetString());
        Assert.Equal(60, root.GetProperty("limits")[0].GetProperty("windowSeconds").GetDouble());
    }

    [Theory]
    [InlineData("""{"a":1,"a":2}""", "MW0003")]
    [InlineData("""{"a":""", "MW0001")]
    public void Explain_ArgumentsThatAreNotStrictJson_AreRefused(string arguments, string code)
    {
        var (exit, output, error) = Explain("run_workflow", arguments);
        Assert.Equal(ExitCodes.Invalid, exit);
        Assert.Empty(output);
        Assert.Contains(code, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_RealProcess_PrintsTheDecision()
    {
        var result = await CliProcess.RunAsync("explain", "--policy", Seed, "--tool", "run_workflow", "--args", """{"workflow_id":"wf_1"}""");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("decision: allow", result.OutputLines[0]);
    }

    [Fact]
    public void Explain_Json_StaysValidJsonWhenThePolicyHasWarnings()
    {
        var policy = Path.Combine(Directory.CreateTempSubdirectory("mcpwarden-explain-").FullName, "p.json");
        File.WriteAllText(policy, """{"version":"1","tools":{"t":{}}}""");
        var (exit, output, error) = Explain("t", json: true, policy: policy);
        Assert.Equal(0, exit);
        using var document = JsonDocument.Parse(output);
        Assert.Equal("allow", document.RootElement.GetProperty("decision").GetString());
        Assert.Contains("MW1006", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_CostAboveTheMax_IsRateLimitedEvenWithEmptyBudgets()
    {
        var policy = Path.Combine(Directory.CreateTempSubdirectory("mcpwarden-explain-").FullName, "p.json");
        File.WriteAllText(policy, """{"version":"1","default":"deny","tools":{"pay":{"limits":[{"counter":"spend","window":"day","max":100,"cost":"amount"}]}}}""");
        var (_, output, _) = Explain("pay", """{"amount": 101}""", policy: policy);
        Assert.Contains("code: rate_limited", output, StringComparison.Ordinal);
        Assert.Contains("more than the max", output, StringComparison.Ordinal);
    }
}
