using Xunit;

namespace McpWarden.Tests.Conformance;

/// <summary>What one run of the conformance suite reported.</summary>
/// <param name="AnnouncedScenarios">The count the suite announced before running, if it did.</param>
/// <param name="UnsuccessfulChecks">Every FAILURE and WARNING check, one line each, from the suite's own results.</param>
/// <param name="Output">Everything the suite printed, for failure messages.</param>
internal sealed record ConformanceRun(
    int ExitCode,
    int? AnnouncedScenarios,
    IReadOnlyList<ConformanceScenario> Scenarios,
    int ChecksPassed,
    int ChecksFailed,
    IReadOnlyList<string> UnsuccessfulChecks,
    string Output)
{
    public int ScenariosPassed => Scenarios.Count(scenario => scenario.Passed);

    /// <summary>
    /// Fails, quoting the suite, unless it ran exactly <paramref name="expectedScenarios"/> scenarios and
    /// every one passed.
    /// </summary>
    public void AssertAllPassed(int expectedScenarios)
    {
        var failed = Scenarios.Where(scenario => !scenario.Passed).Select(scenario => scenario.Name).ToArray();
        if (ExitCode != 0 || failed.Length > 0 || AnnouncedScenarios != expectedScenarios || Scenarios.Count != expectedScenarios)
        {
            Assert.Fail(
                $"Conformance: {ScenariosPassed}/{Scenarios.Count} scenarios passed (expected {expectedScenarios}, announced {AnnouncedScenarios?.ToString() ?? "none"}), "
                + $"{ChecksPassed} checks passed, {ChecksFailed} failed, exit code {ExitCode}.\n"
                + $"Failed scenarios: {string.Join(", ", failed)}\n"
                + $"Checks that did not succeed:\n  {string.Join("\n  ", UnsuccessfulChecks)}\n"
                + $"Suite output:\n{Output}");
        }
    }
}
