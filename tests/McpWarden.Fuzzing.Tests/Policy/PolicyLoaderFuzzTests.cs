using McpWarden.Fuzzing.Tests.Generators;
using McpWarden.Policy;
using McpWarden.Policy.Json;
using Xunit;

namespace McpWarden.Fuzzing.Tests.Policy;

/// <summary>The policy loader that <c>mcpwarden check</c>, the gateway and its reload use, over mutated policies and raw bytes.</summary>
[Trait("Security", "fuzzing")]
public sealed class PolicyLoaderFuzzTests
{
    private const string Source = "fuzz-policy.json";

    [Fact(Timeout = FuzzRun.FactTimeoutMilliseconds)]
    public async Task Load_GeneratedPolicies_LoadWholeOrExplainEveryRefusal()
    {
        var tally = await FuzzRun.CheckAsync("policy loader", FuzzGen.Cases(SeedCorpus.Policies), LoadAndCheck, FuzzRun.Cases());

        tally.ShouldHaveAcceptedAndRefused();
    }

    /// <summary>Every seed cut at every byte: the loader refuses each prefix with a diagnostic (or loads it, if it happens to be whole).</summary>
    [Fact(Timeout = FuzzRun.FactTimeoutMilliseconds)]
    public async Task Load_SeedsTruncatedAtEveryByte_RefuseWithADiagnostic()
    {
        var prefixes = SeedCorpus.Policies
            .SelectMany(seed => Enumerable.Range(0, seed.Tree.ToJson().Length).Select(at => new FuzzCase(seed, [], [new ByteMutation(ByteMutationKind.Truncate, at, [])])))
            .ToArray();

        var tally = await FuzzRun.CheckEachAsync("policy loader, every prefix", prefixes, LoadAndCheck);

        Assert.Equal(prefixes.Length, tally.Total);
        Assert.Equal(prefixes.Length, tally.Refused);
    }

    private static Outcome LoadAndCheck(FuzzCase input)
    {
        using var document = SourceDocument.Parse(Source, input.Bytes);
        var result = PolicyLoader.Load(document);
        var outcome = DiagnosticChecks.Check(result.Diagnostics, result.Policy is not null, Source, document.Root);
        Assert.True(!input.IsUnchangedSeed || outcome == Outcome.Accepted, $"a valid seed was refused: {string.Join("; ", result.Diagnostics)}");
        return outcome;
    }
}
