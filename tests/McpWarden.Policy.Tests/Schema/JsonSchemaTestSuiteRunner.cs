using System.Text.Json;
using System.Text;
using McpWarden.Policy.Schema;
using McpWarden.Testing;

namespace McpWarden.Policy.Tests.Schema;

/// <summary>Runs every file of the official suite's draft7 and draft2020-12 folders and renders the published table.</summary>
internal static class JsonSchemaTestSuiteRunner
{
    private static readonly Lazy<IReadOnlyList<SuiteFileResult>> Cached = new(RunAll);

    public static IReadOnlyList<SuiteFileResult> Results => Cached.Value;

    private static List<SuiteFileResult> RunAll()
    {
        var results = new List<SuiteFileResult>();
        foreach (var (draft, dialect) in new[] { ("draft2020-12", SchemaDialect.Draft202012), ("draft7", SchemaDialect.Draft7) })
        {
            var folder = Path.Combine(RepositoryPaths.JsonSchemaSuite, "tests", draft);
            var files = Directory.GetFiles(folder, "*.json", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
                .Order(StringComparer.Ordinal);
            foreach (var file in files)
            {
                results.Add(RunFile(draft, dialect, folder, file));
            }
        }

        return results;
    }

    private static SuiteFileResult RunFile(string draft, SchemaDialect dialect, string folder, string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, file)));
        int groups = 0, tests = 0, passed = 0, failed = 0, unsupported = 0;
        var failures = new List<string>();
        var options = new SchemaCompileOptions(dialect, SchemaStrictness.Upstream);
        foreach (var group in document.RootElement.EnumerateArray())
        {
            groups++;
            var description = group.GetProperty("description").GetString();
            var cases = group.GetProperty("tests").EnumerateArray().ToArray();
            tests += cases.Length;
            var compilation = JsonSchemaCompiler.Compile(group.GetProperty("schema"), options);
            if (compilation.Diagnostics.Any(d => d.Kind is SchemaDiagnosticKind.UnsupportedKeyword or SchemaDiagnosticKind.UnresolvedReference))
            {
                unsupported += cases.Length;
                continue;
            }

            foreach (var test in cases)
            {
                var expected = test.GetProperty("valid").GetBoolean();
                var actual = compilation.Schema?.Validate(test.GetProperty("data")).IsValid;
                if (actual == expected)
                {
                    passed++;
                }
                else
                {
                    failed++;
                    var why = compilation.Schema is null
                        ? "did not compile: " + string.Join("; ", compilation.Diagnostics.Select(d => d.Message))
                        : $"expected {(expected ? "valid" : "invalid")}";
                    failures.Add($"{draft}/{file}: {description} / {test.GetProperty("description").GetString()} ({why})");
                }
            }
        }

        return new SuiteFileResult(draft, file, file.StartsWith("optional/", StringComparison.Ordinal), groups, tests, passed, failed, unsupported, failures);
    }

    public static string RenderTable(IReadOnlyList<SuiteFileResult> results)
    {
        var text = new StringBuilder();
        text.Append("| Draft | File | Groups | Tests | Passed | Failed | Unsupported |\n");
        text.Append("|---|---|--:|--:|--:|--:|--:|\n");
        foreach (var r in results)
        {
            text.Append($"| {r.Draft} | {r.File} | {r.Groups} | {r.Tests} | {r.Passed} | {r.Failed} | {r.Unsupported} |\n");
        }

        foreach (var draft in results.Select(r => r.Draft).Distinct())
        {
            foreach (var optional in new[] { false, true })
            {
                AppendTotal(text, $"**{draft} {(optional ? "optional" : "required")}**", results.Where(r => r.Draft == draft && r.IsOptional == optional));
            }
        }

        AppendTotal(text, "**all required**", results.Where(r => !r.IsOptional));
        AppendTotal(text, "**all optional**", results.Where(r => r.IsOptional));
        return text.ToString();
    }

    private static void AppendTotal(StringBuilder text, string label, IEnumerable<SuiteFileResult> rows)
    {
        var list = rows.ToList();
        text.Append($"| {label} | | {list.Sum(r => r.Groups)} | {list.Sum(r => r.Tests)} | {list.Sum(r => r.Passed)} | {list.Sum(r => r.Failed)} | {list.Sum(r => r.Unsupported)} |\n");
    }
}
