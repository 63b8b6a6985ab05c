namespace McpWarden.Gateway.PolicyTesting;

public sealed record TestCase(string Name, IReadOnlyList<TestStep> Steps);
