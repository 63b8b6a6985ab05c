using McpWarden.Fuzzing.Tests.Generators;
using McpWarden.Gateway.PolicyTesting;
using McpWarden.Policy.Diagnostics;
using McpWarden.Policy.Json;
using Xunit;

namespace McpWarden.Fuzzing.Tests.PolicyTesting;

/// <summary>The reader of <c>*.test.json</c> files behind <c>mcpwarden test</c>, over mutated test files and raw bytes.</summary>
[Trait("Security", "fuzzing")]
public sealed class PolicyTestFileReaderFuzzTests
{
    private const string Source = "fuzz.test.json";

    [Fact(Timeout = FuzzRun.FactTimeoutMilliseconds)]
    public async Task Read_GeneratedTestFiles_ReadOrExplainEveryRefusal()
    {
        var tally = await FuzzRun.CheckAsync("policy test file reader", FuzzGen.Cases(SeedCorpus.PolicyTestFiles), ReadAndCheck, FuzzRun.Cases());

        tally.ShouldHaveAcceptedAndRefused();
    }

    private static Outcome ReadAndCheck(FuzzCase input)
    {
        using var document = SourceDocument.Parse(Source, input.Bytes);
        var diagnostics = new List<Diagnostic>();
        var file = PolicyTestFileReader.Read(document, Path.Combine(Path.GetTempPath(), Source), diagnostics);
        var outcome = DiagnosticChecks.Check(diagnostics, file is not null, Source, document.Root);
        Assert.True(!input.IsUnchangedSeed || outcome == Outcome.Accepted, $"a valid seed was refused: {string.Join("; ", diagnostics)}");
        return outcome;
    }
}
