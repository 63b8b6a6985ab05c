namespace McpWarden.Gateway.PolicyTesting;

/// <summary>Where a test's policy comes from: a file (resolved against the test file) or inline at a JSON path.</summary>
public sealed record PolicyReference(string? FilePath, string? InlinePath);
