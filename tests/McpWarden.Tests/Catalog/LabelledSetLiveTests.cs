using System.Text.Json.Nodes;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Tests.Catalog;

/// <summary>
/// The labelled set's captured definitions are still exactly what the real servers list: each server is
/// started with the recipe its file records and listed through tests/e2e/list-tools.mjs (the script that
/// captured it), so a bump of a locked npm version that changes a tool shows up here, not as silently stale labels.
/// </summary>
public sealed class LabelledSetLiveTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-labelled-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string> CapturedServers => ["everything.json", "filesystem.json", "memory.json", "daraja.json", "fixture.json"];

    [Theory]
    [MemberData(nameof(CapturedServers))]
    public async Task CapturedDefinitions_AreWhatTheServerListsToday(string file)
    {
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "tests", "catalog", "labelled", file), TestContext.Current.CancellationToken))!;
        var recipe = committed["capture"]!;
        var directory = Directory.CreateDirectory(Path.Combine(_directory, Path.GetFileNameWithoutExtension(file))).FullName;
        string Fill(string value) => value.Replace("{directory}", directory, StringComparison.Ordinal).Replace("{fixture}", Gateway.EndToEnd.Fixture, StringComparison.Ordinal);
        var command = Fill(recipe["command"]!.GetValue<string>());
        var arguments = recipe["args"]!.AsArray().Select(a => Fill(a!.GetValue<string>()));
        var environment = recipe["env"]!.AsObject().ToDictionary(p => p.Key, p => Fill(p.Value!.GetValue<string>()));

        var result = await ProcessRunner.RunAsync("node", ["list-tools.mjs", command, .. arguments], Gateway.EndToEnd.Directory, environment);

        Assert.True(result.ExitCode == 0, $"list-tools.mjs exited with {result.ExitCode}: {result.Error}");
        var live = JsonNode.Parse(result.Output)!;
        foreach (var field in new[] { "serverInfo", "instructions", "tools" })
        {
            Assert.True(JsonNode.DeepEquals(committed[field], live[field]), $"{file}: \"{field}\" differs from what the server lists now; re-capture and re-check the labels.\nlive: {live[field]?.ToJsonString()}");
        }
    }
}
