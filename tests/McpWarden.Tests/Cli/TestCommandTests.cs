using System.Text.RegularExpressions;
using McpWarden.Cli;
using Xunit;

namespace McpWarden.Tests.Cli;

public sealed partial class TestCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [GeneratedRegex(@"^(?<passed>\d+) passed, (?<failed>\d+) failed$")]
    private static partial Regex Summary();

    [Theory]
    [InlineData("samples", 13)]
    [InlineData("tests/vectors", 190)]
    public async Task Test_ShippedFiles_AllPass(string path, int atLeast)
    {
        var result = await CliProcess.RunAsync("test", path);

        var summary = Summary().Match(result.OutputLines[^1]);
        Assert.True(summary.Success, "last line: " + result.OutputLines[^1]);
        Assert.Equal("0", summary.Groups["failed"].Value);
        Assert.True(int.Parse(summary.Groups["passed"].Value, System.Globalization.CultureInfo.InvariantCulture) >= atLeast, result.OutputLines[^1]);
        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain(result.OutputLines, l => l.StartsWith("FAIL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Test_AFailingCase_IsNamedAndExitsOne()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "p.test.json"), """
            {"policy":{"version":"1","default":"deny","tools":{"t":{"rate_limit":{"max":2,"window":60}}}},
             "cases":[
               {"name":"two pass","steps":[{"call":"t","repeat":2,"expect":"allow"}]},
               {"name":"three pass","steps":[{"call":"t","repeat":3,"expect":"allow"}]}]}
            """, TestContext.Current.CancellationToken);
        using var output = new StringWriter();

        var exit = await TestCommand.RunAsync([_directory], output, TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Invalid, exit);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("PASS ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("FAIL ", lines[1], StringComparison.Ordinal);
        Assert.Contains("three pass: step 1, call t (repetition 3 of 3): expected allow; got deny rate_limited /tools/t/rate_limit", lines[1], StringComparison.Ordinal);
        Assert.Equal("1 passed, 1 failed", lines[^1]);
    }

    [Fact]
    public async Task Test_NothingToRun_IsAFailureNotAGreenRun()
    {
        using var output = new StringWriter();
        var exit = await TestCommand.RunAsync([_directory], output, TestContext.Current.CancellationToken);
        Assert.Equal(ExitCodes.Invalid, exit);
        Assert.EndsWith("0 passed, 1 failed", output.ToString().Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_BrokenPolicy_PrintsItsDiagnosticsAndFails()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "p.test.json"), """
            {"policy":{"version":"1","default":"deny","tools":{"t":{"limits":[{"counter":"c","window":"week","max":1}]}}},
             "cases":[{"name":"n","steps":[{"call":"t","expect":"allow"}]}]}
            """, TestContext.Current.CancellationToken);
        using var output = new StringWriter();

        var exit = await TestCommand.RunAsync([_directory], output, TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Invalid, exit);
        Assert.Contains(":1:91 MW3001 /policy/tools/t/limits/0/window", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("the policy does not load", output.ToString(), StringComparison.Ordinal);
    }
}
