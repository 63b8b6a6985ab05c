namespace McpWarden.Policy.Schema;

/// <summary>Whether an instance satisfied a schema, and if not the most useful error.</summary>
/// <param name="IsValid">True if the instance is valid.</param>
/// <param name="Error">The error explaining the failure; null when valid.</param>
public readonly record struct SchemaValidationResult(bool IsValid, SchemaError? Error);
