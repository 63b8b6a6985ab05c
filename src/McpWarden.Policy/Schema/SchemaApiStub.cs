// Temporary stand-in with the agreed API; replaced by the real validator when its branch is merged.
using System.Text.Json;
#pragma warning disable
namespace McpWarden.Policy.Schema;
public enum SchemaDialect { Draft7, Draft202012 }
public enum SchemaStrictness { Policy, Upstream }
public sealed record SchemaCompileOptions(SchemaDialect DefaultDialect = SchemaDialect.Draft202012, SchemaStrictness Strictness = SchemaStrictness.Policy, TimeSpan? RegexTimeout = null);
public enum SchemaDiagnosticKind { InvalidKeywordValue, UnknownKeyword, UnsupportedKeyword, InvalidPattern, UnresolvedReference }
public sealed record SchemaDiagnostic(SchemaDiagnosticKind Kind, string SchemaPath, string Message, bool IsError);
public sealed record SchemaCompilation(CompiledSchema? Schema, IReadOnlyList<SchemaDiagnostic> Diagnostics);
public static class JsonSchemaCompiler { public static SchemaCompilation Compile(JsonElement schema, SchemaCompileOptions? options = null) => new(new CompiledSchema(), []); }
public sealed class CompiledSchema { public SchemaValidationResult Validate(JsonElement instance) => new(true, null); }
public readonly record struct SchemaValidationResult(bool IsValid, SchemaError? Error);
public sealed record SchemaError(string InstancePath, string Keyword, string SchemaPath, string Message);
