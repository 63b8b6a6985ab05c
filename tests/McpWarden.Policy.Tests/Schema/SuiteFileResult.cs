namespace McpWarden.Policy.Tests.Schema;

/// <summary>The measured outcome of one suite file: counts of tests, and the names of the failing ones.</summary>
internal sealed record SuiteFileResult(
    string Draft, string File, bool IsOptional, int Groups, int Tests, int Passed, int Failed, int Unsupported, IReadOnlyList<string> Failures);
