using System.Text.Json;
using McpWarden.Policy.Diagnostics;
using McpWarden.Policy.Schema;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Policy.Tests.PublishedSchema;

/// <summary>
/// The JSON Schema published for editors agrees with the engine: it accepts every policy the engine
/// loads (an editor must never flag a valid policy) and rejects the shape errors the engine refuses.
/// </summary>
public sealed class PolicySchemaTests
{
    private static readonly CompiledSchema Schema = LoadSchema();

    /// <summary>Engine errors that are about the document's shape, which a JSON Schema can also see.</summary>
    private static readonly HashSet<string> ShapeCodes =
    [
        DiagnosticCodes.UnknownField, DiagnosticCodes.WrongType, DiagnosticCodes.MissingField, DiagnosticCodes.UnsupportedVersion,
        DiagnosticCodes.InvalidAction, DiagnosticCodes.InvalidWindow, DiagnosticCodes.InvalidMax, DiagnosticCodes.InvalidScope,
        DiagnosticCodes.ApprovalWithoutApprove, DiagnosticCodes.EmptyDocument,
    ];

    private static CompiledSchema LoadSchema()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "schemas", "policy.schema.json"));
        // Compiled as strictly as a user's policy schema: the published schema must have no typo either.
        var compilation = JsonSchemaCompiler.Compile(Policies.Json(text), new SchemaCompileOptions(Strictness: SchemaStrictness.Policy));
        Assert.True(compilation.Schema is not null, string.Join('\n', compilation.Diagnostics));
        return compilation.Schema!;
    }

    public static TheoryData<string> ValidPolicies()
    {
        var data = new TheoryData<string>();
        foreach (var (name, json) in AllPolicies().Where(p => PolicyLoader.LoadText(p.Name, p.Json).Succeeded))
        {
            data.Add(name);
        }

        return data;
    }

    public static TheoryData<string> ShapeErrorPolicies()
    {
        var data = new TheoryData<string>();
        foreach (var (name, json) in AllPolicies())
        {
            var errors = PolicyLoader.LoadText(name, json).Diagnostics.Where(d => d.IsError).ToArray();
            if (errors.Length > 0 && errors.All(d => ShapeCodes.Contains(d.Code)))
            {
                data.Add(name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ValidPolicies))]
    public void PublishedSchema_PolicyTheEngineLoads_Validates(string name)
    {
        var result = Schema.Validate(Policies.Json(Find(name)));
        Assert.True(result.IsValid, $"{result.Error?.InstancePath} {result.Error?.Keyword}: {result.Error?.Message}");
    }

    [Theory]
    [MemberData(nameof(ShapeErrorPolicies))]
    public void PublishedSchema_ShapeErrorTheEngineRefuses_IsRejected(string name) =>
        Assert.False(Schema.Validate(Policies.Json(Find(name))).IsValid);

    [Fact]
    public void Corpus_HasEnoughOfBothKinds()
    {
        Assert.True(ValidPolicies().Count >= 20, $"{ValidPolicies().Count} valid policies");
        Assert.True(ShapeErrorPolicies().Count >= 15, $"{ShapeErrorPolicies().Count} shape-error policies");
    }

    private static string Find(string name) => AllPolicies().Single(p => p.Name == name).Json;

    /// <summary>Every policy the repository holds: sample and vector policy files, and policies inline in test files.</summary>
    private static IEnumerable<(string Name, string Json)> AllPolicies()
    {
        foreach (var directory in new[] { RepositoryPaths.Samples, RepositoryPaths.Vectors })
        {
            foreach (var file in Directory.EnumerateFiles(directory, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var name = Path.GetRelativePath(RepositoryPaths.Root, file);
                string text;
                try
                {
                    text = File.ReadAllText(file, new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true));
                    using var probe = JsonDocument.Parse(text, new JsonDocumentOptions { AllowDuplicateProperties = false });
                }
                catch (Exception e) when (e is JsonException or System.Text.DecoderFallbackException)
                {
                    continue; // Not JSON at all: the syntax vectors, which no schema can judge.
                }

                if (!file.EndsWith(".test.json", StringComparison.Ordinal))
                {
                    // Configuration files (with mcpServers) are not policies.
                    using var document = JsonDocument.Parse(text);
                    if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("mcpServers", out _))
                    {
                        yield return (name, text);
                    }

                    continue;
                }

                using var testFile = JsonDocument.Parse(text);
                if (testFile.RootElement.TryGetProperty("policy", out var inline) && inline.ValueKind == JsonValueKind.Object)
                {
                    yield return (name + "#/policy", inline.GetRawText());
                }
            }
        }
    }
}
