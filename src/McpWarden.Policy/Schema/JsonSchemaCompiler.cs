using System.Text.Json;

namespace McpWarden.Policy.Schema;

/// <summary>Compiles a JSON Schema (draft-07 or 2020-12) into an immutable validator, reporting every problem at once.</summary>
public static class JsonSchemaCompiler
{
    /// <summary>Compiles <paramref name="schema"/>; the result holds the compiled schema unless a diagnostic is an error.</summary>
    /// <param name="schema">The schema document; it is not referenced after this call returns.</param>
    /// <param name="options">Dialect, strictness and regex timeout; defaults to 2020-12, <see cref="SchemaStrictness.Policy"/>, 100 ms.</param>
    public static SchemaCompilation Compile(JsonElement schema, SchemaCompileOptions? options = null) =>
        new SchemaCompilerSession(schema, options ?? new SchemaCompileOptions()).Compile();
}
