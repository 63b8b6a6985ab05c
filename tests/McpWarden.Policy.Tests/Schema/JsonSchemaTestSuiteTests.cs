using McpWarden.Testing;
using Xunit;

namespace McpWarden.Policy.Tests.Schema;

public sealed class JsonSchemaTestSuiteTests
{
    private const string StartMarker = "<!-- suite-table:start -->";
    private const string EndMarker = "<!-- suite-table:end -->";

    [Fact]
    public void RequiredFiles_GroupsUsingOnlySupportedKeywords_PassEveryTest()
    {
        var failures = JsonSchemaTestSuiteRunner.Results.Where(r => !r.IsOptional).SelectMany(r => r.Failures).ToList();

        Assert.True(failures.Count == 0, $"{failures.Count} required suite tests failed:\n" + string.Join("\n", failures));
    }

    /// <summary>
    /// Optional files whose failures are expected: format and content are annotations here (see docs/json-schema.md),
    /// so their assertion tests fail by design. Every other optional file is behaviour this validator deliberately supports.
    /// </summary>
    private static bool IsAssertedOptional(SuiteFileResult result) =>
        result.IsOptional
        && (!result.File.StartsWith("optional/format/", StringComparison.Ordinal) || result.File == "optional/format/unknown.json")
        && result.File != "optional/content.json";

    [Fact]
    public void OptionalFiles_DeliberatelySupportedBehaviour_PassEveryTest()
    {
        var asserted = JsonSchemaTestSuiteRunner.Results.Where(IsAssertedOptional).ToList();
        var failures = asserted.SelectMany(r => r.Failures).ToList();

        Assert.NotEmpty(asserted);
        Assert.True(failures.Count == 0, $"{failures.Count} optional suite tests of supported behaviour failed:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void PublishedTable_InDocs_MatchesMeasuredResults()
    {
        var table = JsonSchemaTestSuiteRunner.RenderTable(JsonSchemaTestSuiteRunner.Results);
        var docPath = Path.Combine(RepositoryPaths.Root, "docs", "json-schema.md");
        var doc = File.ReadAllText(docPath).ReplaceLineEndings("\n");
        var start = doc.IndexOf(StartMarker, StringComparison.Ordinal);
        var end = doc.IndexOf(EndMarker, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"{docPath} must contain {StartMarker} followed by {EndMarker}.");

        var before = doc[..(start + StartMarker.Length)];
        var published = doc[(start + StartMarker.Length)..end];
        var measured = "\n" + table;
        if (Environment.GetEnvironmentVariable("MCPWARDEN_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(docPath, before + measured + doc[end..]);
            return;
        }

        Assert.True(published == measured,
            $"The suite table in {docPath} is out of date. Regenerate it with: "
            + "MCPWARDEN_UPDATE_DOCS=1 dotnet test tests/McpWarden.Policy.Tests --filter \"FullyQualifiedName~JsonSchemaTestSuite\"\n"
            + "Measured:\n" + table);
    }
}
