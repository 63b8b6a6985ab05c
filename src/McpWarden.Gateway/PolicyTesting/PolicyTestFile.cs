namespace McpWarden.Gateway.PolicyTesting;

/// <summary>A policy test file (<c>*.test.json</c>) as read: the policy, the server's tools and the cases.</summary>
/// <param name="Path">The test file.</param>
/// <param name="Tools">What the server's <c>tools/list</c> answers; null means every called tool exists.</param>
/// <param name="ExpectedDiagnostics">When present, the policy must fail to load with these diagnostics.</param>
public sealed record PolicyTestFile(
    string Path,
    PolicyReference Policy,
    IReadOnlyList<TestTool>? Tools,
    IReadOnlyList<TestCase> Cases,
    IReadOnlyList<ExpectedDiagnostic>? ExpectedDiagnostics);
