using System.Text.Json;
using McpWarden.Policy.Schema;
using Xunit;

namespace McpWarden.Policy.Tests.Schema;

/// <summary>Compiles schemas from JSON text (disposing the document, so compiled schemas must not depend on it) and validates instances.</summary>
internal static class SchemaTestHelpers
{
    public static SchemaCompilation CompileText(string schemaJson, SchemaCompileOptions? options = null)
    {
        using var document = JsonDocument.Parse(schemaJson);
        return JsonSchemaCompiler.Compile(document.RootElement, options);
    }

    public static CompiledSchema Compile(string schemaJson, SchemaCompileOptions? options = null)
    {
        var compilation = CompileText(schemaJson, options);
        Assert.True(compilation.Schema is not null, "expected the schema to compile: " + string.Join("; ", compilation.Diagnostics));
        return compilation.Schema;
    }

    public static SchemaValidationResult Validate(string schemaJson, string instanceJson, SchemaCompileOptions? options = null)
    {
        var schema = Compile(schemaJson, options);
        using var instance = JsonDocument.Parse(instanceJson);
        return schema.Validate(instance.RootElement);
    }

    public static bool IsValid(string schemaJson, string instanceJson, SchemaCompileOptions? options = null) =>
        Validate(schemaJson, instanceJson, options).IsValid;

    public static SchemaError Error(string schemaJson, string instanceJson, SchemaCompileOptions? options = null)
    {
        var result = Validate(schemaJson, instanceJson, options);
        Assert.False(result.IsValid, $"expected {instanceJson} to be invalid");
        Assert.NotNull(result.Error);
        return result.Error;
    }

    public static SchemaCompileOptions Draft7(SchemaStrictness strictness = SchemaStrictness.Policy) => new(SchemaDialect.Draft7, strictness);
}
