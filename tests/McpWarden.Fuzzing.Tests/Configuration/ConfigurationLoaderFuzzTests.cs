using McpWarden.Fuzzing.Tests.Generators;
using McpWarden.Gateway.Configuration;
using McpWarden.Policy.Json;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Fuzzing.Tests.Configuration;

/// <summary>
/// The configuration loader that <c>serve</c>, <c>stdio</c>, <c>check</c> and a reload use, over mutated
/// configurations and raw bytes. The configuration sits in a directory with the sample policies, so that its
/// policy paths (mutated too: missing files, directories, devices) are really read.
/// </summary>
[Trait("Security", "fuzzing")]
public sealed class ConfigurationLoaderFuzzTests : IDisposable
{
    private const string Source = "fuzz-mcpwarden.json";

    private static readonly Dictionary<string, string> Environment = new(StringComparer.Ordinal)
    {
        ["HOME"] = "/home/fuzz",
        ["TOKEN"] = "t0k3n",
    };

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-fuzz-").FullName;

    public ConfigurationLoaderFuzzTests()
    {
        var policies = Directory.CreateDirectory(Path.Combine(_directory, "policies")).FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryPaths.Samples, "policies")))
        {
            File.Copy(file, Path.Combine(policies, Path.GetFileName(file)));
        }
    }

    [Fact(Timeout = FuzzRun.FactTimeoutMilliseconds)]
    public async Task Load_GeneratedConfigurations_LoadWholeOrExplainEveryRefusal()
    {
        var tally = await FuzzRun.CheckAsync("configuration loader", FuzzGen.Cases(SeedCorpus.Configurations), LoadAndCheck, FuzzRun.Cases());

        tally.ShouldHaveAcceptedAndRefused();
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Outcome LoadAndCheck(FuzzCase input)
    {
        using var document = SourceDocument.Parse(Source, input.Bytes);
        var result = ConfigurationLoader.Load(document, Path.Combine(_directory, "mcpwarden.json"), name => Environment.GetValueOrDefault(name));
        var outcome = DiagnosticChecks.Check(result.Diagnostics, result.Configuration is not null, Source, document.Root);
        Assert.True(!input.IsUnchangedSeed || outcome == Outcome.Accepted, $"a valid seed was refused: {string.Join("; ", result.Diagnostics)}");
        return outcome;
    }
}
