using System.Text.Json;
using McpWarden.Policy.Compilation;
using McpWarden.Policy.Diagnostics;
using McpWarden.Policy.Json;
using McpWarden.Policy.Parsing;
using McpWarden.Policy.Validation;

namespace McpWarden.Policy;

/// <summary>The one entry point for loading a policy: parse, validate, compile, every diagnostic collected.</summary>
public static class PolicyLoader
{
    public static PolicyLoadResult LoadFile(string path, string? displayName = null)
    {
        using var document = SourceDocument.Load(path, displayName);
        return Load(document);
    }

    public static PolicyLoadResult LoadText(string source, string json)
    {
        using var document = SourceDocument.Parse(source, json);
        return Load(document);
    }

    /// <summary>Loads the whole document as a policy.</summary>
    public static PolicyLoadResult Load(SourceDocument document)
    {
        if (document.Root is not { } root)
        {
            return new PolicyLoadResult(null, document.Diagnostics);
        }

        return Load(new DiagnosticSink(document, string.Empty, []), root);
    }

    /// <summary>Loads a policy embedded in a larger document (a configuration or test file) at the sink's base path.</summary>
    public static PolicyLoadResult Load(DiagnosticSink sink, JsonElement policy)
    {
        // The document's own findings within the policy (duplicate keys) refuse it too: System.Text.Json
        // would otherwise hand the parser one of the two values without a word.
        foreach (var diagnostic in sink.Document.Diagnostics.Where(d => IsWithin(d.Path, sink.BasePath)))
        {
            sink.Add(diagnostic);
        }

        var definition = PolicyParser.Parse(policy, sink);
        if (definition is null)
        {
            return new PolicyLoadResult(null, sink.Diagnostics);
        }

        PolicyValidator.Validate(definition, sink);
        var compiled = PolicyCompiler.Compile(definition, CanonicalJson.Sha256(policy), sink);
        return new PolicyLoadResult(sink.HasErrors ? null : compiled, sink.Diagnostics);
    }

    private static bool IsWithin(string path, string basePath) =>
        basePath.Length == 0 || path == basePath || path.StartsWith(basePath + "/", StringComparison.Ordinal);
}
