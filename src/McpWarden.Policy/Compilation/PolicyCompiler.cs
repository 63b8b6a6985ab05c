using McpWarden.Policy.Definitions;
using McpWarden.Policy.Diagnostics;
using McpWarden.Policy.Schema;

namespace McpWarden.Policy.Compilation;

/// <summary>
/// Turns a parsed and validated definition into a <see cref="CompiledPolicy"/>; compiles argument schemas
/// (a rule's <c>arguments</c> and its <c>approval.unless</c>, with the same validator and diagnostics).
/// </summary>
public static class PolicyCompiler
{
    public static CompiledPolicy Compile(PolicyDefinition definition, string revision, DiagnosticSink sink)
    {
        var rules = new List<CompiledRule>(definition.Rules.Count);
        foreach (var rule in definition.Rules)
        {
            var arguments = rule.Arguments is { } schema ? CompileArguments(schema, rule.Path + "/arguments", sink) : null;
            var unless = rule.Approval.Unless is { } unlessSchema ? CompileArguments(unlessSchema, rule.Path + "/approval/unless", sink) : null;
            var limits = rule.Limits
                .DistinctBy(l => l.Counter, StringComparer.Ordinal)
                .Select(l => new CompiledLimit(l))
                .ToArray();
            rules.Add(new CompiledRule(rule.Path, rule.Key, rule.Action, rule.Reason, limits, arguments, rule.Approval, isDefault: false, unless));
        }

        var defaultRule = new CompiledRule("/default", "*", definition.Default, reason: null, [], arguments: null, ApprovalDefinition.Default, isDefault: true);
        return new CompiledPolicy(revision, defaultRule, rules);
    }

    private static CompiledSchema? CompileArguments(System.Text.Json.JsonElement schema, string path, DiagnosticSink sink)
    {
        var compilation = JsonSchemaCompiler.Compile(schema, new SchemaCompileOptions(Strictness: SchemaStrictness.Policy));
        foreach (var diagnostic in compilation.Diagnostics)
        {
            var code = diagnostic.Kind switch
            {
                SchemaDiagnosticKind.UnknownKeyword => DiagnosticCodes.UnknownSchemaKeyword,
                SchemaDiagnosticKind.UnsupportedKeyword => DiagnosticCodes.UnsupportedSchemaKeyword,
                SchemaDiagnosticKind.InvalidPattern => DiagnosticCodes.InvalidSchemaPattern,
                SchemaDiagnosticKind.UnresolvedReference => DiagnosticCodes.UnresolvedSchemaReference,
                _ => DiagnosticCodes.InvalidSchema,
            };
            // A misspelt or unsupported keyword is shown where its name stands, other problems at the value.
            var at = path + diagnostic.SchemaPath;
            var atName = diagnostic.Kind is SchemaDiagnosticKind.UnknownKeyword or SchemaDiagnosticKind.UnsupportedKeyword;
            switch (diagnostic.IsError, atName)
            {
                case (true, true): sink.ErrorAtName(code, at, diagnostic.Message); break;
                case (true, false): sink.Error(code, at, diagnostic.Message); break;
                case (false, true): sink.WarningAtName(code, at, diagnostic.Message); break;
                default: sink.Warning(code, at, diagnostic.Message); break;
            }
        }

        return compilation.Schema;
    }
}
