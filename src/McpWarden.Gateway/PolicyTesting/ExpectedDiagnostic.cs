namespace McpWarden.Gateway.PolicyTesting;

/// <summary>A diagnostic an invalid policy must produce; position is checked only when given.</summary>
public sealed record ExpectedDiagnostic(string Code, string? Path, int? Line, int? Column);
