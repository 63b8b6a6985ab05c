namespace McpWarden.Policy.Schema;

/// <summary>One problem found while compiling a schema.</summary>
/// <param name="Kind">The category of the problem.</param>
/// <param name="SchemaPath">RFC 6901 JSON Pointer to the offending keyword, relative to the schema root ("" for the root).</param>
/// <param name="Message">A human-readable explanation that names the keyword and quotes the input.</param>
/// <param name="IsError">True if the problem prevents compilation; false for a warning.</param>
public sealed record SchemaDiagnostic(SchemaDiagnosticKind Kind, string SchemaPath, string Message, bool IsError);
