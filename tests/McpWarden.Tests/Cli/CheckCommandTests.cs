using System.Text.RegularExpressions;
using McpWarden.Cli;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Tests.Cli;

public sealed partial class CheckCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-check-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string? NoEnvironment(string name) => null;

    [GeneratedRegex(@"^(?<file>.+):(?<line>\d+):(?<column>\d+) (?<code>MW\d{4}) (?<path>/\S*) (?<message>.+)$")]
    private static partial Regex DiagnosticLine();

    [Fact]
    public async Task Check_TypoBadWindowAndZeroMax_ExitsOneWithThreeLocatedDiagnostics()
    {
        var file = Path.Combine(_directory, "policy.json");
        await File.WriteAllTextAsync(file, """
            {
              "version": "1",
              "default": "deny",
              "tools": {
                "run_workflow": {
                  "limts": [ { "counter": "run_workflow_rate", "window": "minute", "max": 10 } ]
                },
                "create_workflow_run": {
                  "limits": [ { "counter": "create_workflow_run_rate", "window": "fortnight", "max": 0 } ]
                }
              }
            }
            """, TestContext.Current.CancellationToken);

        var result = await CliProcess.RunAsync("check", file);

        Assert.Equal(1, result.ExitCode);
        var lines = result.OutputLines.Select(l => DiagnosticLine().Match(l)).ToArray();
        Assert.Equal(3, lines.Length);
        Assert.All(lines, m => Assert.True(m.Success));
        Assert.All(lines, m => Assert.Equal(file, m.Groups["file"].Value));
        Assert.Equal(
            ["6:7 MW1001 /tools/run_workflow/limts", "9:70 MW3001 /tools/create_workflow_run/limits/0/window", "9:90 MW3002 /tools/create_workflow_run/limits/0/max"],
            lines.Select(m => $"{m.Groups["line"]}:{m.Groups["column"]} {m.Groups["code"]} {m.Groups["path"]}").ToArray());
    }

    [Fact]
    public async Task Check_ShippedSamples_ExitZeroAndPrintNothing()
    {
        var result = await CliProcess.RunAsync("check", "samples/policies");
        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Contains("valid", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_SeveralFiles_ReportsEachAndFailsIfAnyIsInvalid()
    {
        var good = Path.Combine(_directory, "good.json");
        var bad = Path.Combine(_directory, "bad.json");
        File.WriteAllText(good, """{"version":"1","default":"deny"}""");
        File.WriteAllText(bad, """{"version":"1","default":"deny","tools":{"t":{"action":"maybe"}}}""");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = CheckCommand.Run([good, bad], NoEnvironment, output, error);

        Assert.Equal(ExitCodes.Invalid, exit);
        Assert.Equal($"{bad}:1:56 MW1005 /tools/t/action action must be \"allow\", \"deny\" or \"approve\", got string \"maybe\"", output.ToString().Trim());
        Assert.Equal("check: 1 of 2 invalid", error.ToString().Trim());
    }

    [Fact]
    public void Check_MissingFile_IsReportedNotThrown()
    {
        using var output = new StringWriter();
        var exit = CheckCommand.Run([Path.Combine(_directory, "absent.json")], NoEnvironment, output, TextWriter.Null);
        Assert.Equal(ExitCodes.Invalid, exit);
        Assert.Contains("MW0006", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_WarningsOnly_ExitZeroButArePrinted()
    {
        var file = Path.Combine(_directory, "nodefault.json");
        File.WriteAllText(file, """{"version":"1"}""");
        using var output = new StringWriter();
        Assert.Equal(ExitCodes.Success, CheckCommand.Run([file], NoEnvironment, output, TextWriter.Null));
        Assert.Contains("MW1006 / warning:", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_InvalidVectors_EveryOneIsRefused()
    {
        var policies = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Vectors, "invalid"), "*.json")
            .Where(f => !f.EndsWith(".test.json", StringComparison.Ordinal))
            .ToArray();
        Assert.NotEmpty(policies);
        var result = await CliProcess.RunAsync(["check", .. policies]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"check: {policies.Length} of {policies.Length} invalid", result.Error.Trim());
    }
}
