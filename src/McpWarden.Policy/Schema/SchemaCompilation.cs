namespace McpWarden.Policy.Schema;

/// <summary>The outcome of compiling a schema: the compiled schema unless an error was found, and every diagnostic.</summary>
/// <param name="Schema">The compiled schema; null if and only if any diagnostic is an error.</param>
/// <param name="Diagnostics">All errors and warnings, in document order.</param>
public sealed record SchemaCompilation(CompiledSchema? Schema, IReadOnlyList<SchemaDiagnostic> Diagnostics);
