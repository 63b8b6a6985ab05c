using McpWarden.Policy.Diagnostics;

namespace McpWarden.Gateway.PolicyTesting;

/// <summary>The outcome of one test file: its cases, or the diagnostics that kept it from running.</summary>
public sealed record PolicyTestFileResult(string Path, IReadOnlyList<PolicyTestCaseResult> Cases, IReadOnlyList<Diagnostic> Diagnostics)
{
    public int Passed => Cases.Count(c => c.Passed);

    public int Failed => Cases.Count(c => !c.Passed);
}
