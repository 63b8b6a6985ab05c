namespace McpWarden.Gateway.PolicyTesting;

/// <summary>The outcome of one case: passed, or the first step that did not go as expected.</summary>
public sealed record PolicyTestCaseResult(string Name, bool Passed, string? Failure);
