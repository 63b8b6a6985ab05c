using McpWarden.Gateway.PolicyTesting;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Gateway.Tests.PolicyTesting;

/// <summary>The shared vectors under tests/vectors and the shipped samples, run through the library.</summary>
public sealed class VectorTests
{
    public static TheoryData<string> VectorFiles() => Files(RepositoryPaths.Vectors);

    public static TheoryData<string> SampleFiles() => Files(RepositoryPaths.Samples);

    [Theory]
    [MemberData(nameof(VectorFiles))]
    public async Task Vector_EveryCase_Passes(string relativePath) => await AssertAllPass(relativePath);

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public async Task Sample_EveryCase_Passes(string relativePath) => await AssertAllPass(relativePath);

    [Fact]
    public void Vectors_CoverTheRequiredCounts()
    {
        var evaluation = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Vectors, "evaluation"), "*.test.json").Sum(CountCases);
        var invalid = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Vectors, "invalid"), "*.test.json").Count();
        Assert.True(evaluation >= 60, $"{evaluation} evaluation cases; at least 60 expected");
        Assert.True(invalid >= 30, $"{invalid} invalid-policy vectors; at least 30 expected");
    }

    private static async Task AssertAllPass(string relativePath)
    {
        var result = await PolicyTestRunner.RunFileAsync(Path.Combine(RepositoryPaths.Root, relativePath), TestContext.Current.CancellationToken);
        var failures = result.Cases.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.Failure}").Concat(result.Diagnostics.Select(d => d.ToString())).ToArray();
        Assert.True(result.Cases.Count > 0, "the file has no cases");
        Assert.True(failures.Length == 0, string.Join('\n', failures));
    }

    private static int CountCases(string file)
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(file));
        return document.RootElement.TryGetProperty("cases", out var cases) ? cases.GetArrayLength() : 0;
    }

    private static TheoryData<string> Files(string directory)
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(directory, "*.test.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(RepositoryPaths.Root, file));
        }

        return data;
    }

    [Fact]
    public async Task Run_CaseThatBreaksTheClock_FailsAloneAndTheOthersStillRun()
    {
        var directory = Directory.CreateTempSubdirectory("mcpwarden-runner-").FullName;
        var file = Path.Combine(directory, "clock.test.json");
        var advances = string.Join(',', Enumerable.Repeat("""{"advance":"36525d"}""", 80));
        await File.WriteAllTextAsync(file, $$"""
            {"policy":{"version":"1","default":"allow"},
             "cases":[
               {"name":"past year 9999","steps":[{{advances}},{"call":"t","expect":"allow"}]},
               {"name":"still runs","steps":[{"call":"t","expect":"allow"}]}]}
            """, TestContext.Current.CancellationToken);

        var result = await PolicyTestRunner.RunFileAsync(file, TestContext.Current.CancellationToken);

        Assert.Collection(
            result.Cases,
            broken => Assert.Equal((false, true), (broken.Passed, broken.Failure!.StartsWith("the case could not run", StringComparison.Ordinal))),
            fine => Assert.True(fine.Passed));
        Directory.Delete(directory, recursive: true);
    }
}
