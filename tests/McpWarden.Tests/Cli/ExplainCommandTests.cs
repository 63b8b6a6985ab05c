using System.Text.Json;
using McpWarden.Cli;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Tests.Cli;

public sealed class ExplainCommandTests
{
    private static readonly string Seed = Path.Combine(RepositoryPaths.Samples, "policies", "run-workflow.json");

    private static (int Exit, string Output) Explain(string tool, string? arguments = null, bool json = false)
    {
        using var output = new StringWriter();
        var exit = ExplainCommand.Run(Seed, tool, arguments, "local", "s1", json, output);
        return (exit, output.ToString());
    }

    [Fact]
    public void Explain_AllowedTool_ShowsRuleAndTheLimitItWouldConsume()
    {
        var (exit, output) = Explain("run_workflow");
        Assert.Equal(0, exit);
        Assert.Equal(
            """
            decision: allow
            code: allowed
            rule: /tools/run_workflow
            message: allowed by the policy
            limit: /tools/run_workflow/limits/0 counter "run_workflow_rate" takes 1 of 10 per 60s (budget grant:local:run_workflow_rate)
            """,
            output.Trim().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Explain_OtherTool_IsTheDefaultDeny()
    {
        var (_, output) = Explain("delete_workflow");
        Assert.Contains("decision: deny", output, StringComparison.Ordinal);
        Assert.Contains("code: default_deny", output, StringComparison.Ordinal);
        Assert.Contains("rule: /default", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_Json_IsMachineReadable()
    {
        var (exit, output) = Explain("run_workflow", json: true);
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
        var (exit, output) = Explain("run_workflow", arguments);
        Assert.Equal(ExitCodes.Invalid, exit);
        Assert.Contains(code, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_RealProcess_PrintsTheDecision()
    {
        var result = await CliProcess.RunAsync("explain", "--policy", Seed, "--tool", "run_workflow", "--args", """{"workflow_id":"wf_1"}""");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("decision: allow", result.OutputLines[0]);
    }
}
