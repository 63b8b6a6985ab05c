using System.Text.Json;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Tests.Performance;

/// <summary>
/// The load harness's gross-regression check (bench/load.sh compare --ci) as CI runs it: the fixture directly (a),
/// through the real <c>mcpwarden serve</c> over HTTP (b) and over stdio (c), through mcp-proxy (d), and through the
/// gateway sharing one stdio server among its sessions as mcp-proxy does (e), eight clients
/// for five seconds each. It fails only on a gross regression — (b) under 5 % of (a)'s calls per second, (c) under
/// 25 % of (d)'s — or on any call not answered with its own text; these tests hold it to its exit code and report, and
/// prove that a refused call fails it. Not a timing test: the floors are far below what any machine measures.
/// </summary>
[Trait("Performance", "compare")]
[Trait(AloneTestGroup.Trait, AloneTestGroup.TraitValue)]
[Collection(AloneTestGroup.Name)]
public sealed class CompareCiTests
{
    private static string Harness => RepositoryPaths.BenchHarness("McpWarden.Load");

    [Fact]
    public async Task CompareCi_FiveScenariosAtEightClients_EveryCallAnsweredAndBothFloorsHeld()
    {
        var directory = Directory.CreateTempSubdirectory("mcpwarden-compare-ci-").FullName;
        try
        {
            var run = await ProcessRunner.RunAsync("dotnet", [Harness, "compare", "--ci", "--out", directory], directory);
            Assert.True(run.ExitCode == 0, $"the compare check failed ({run.ExitCode}):\n{run.Output}\n{run.Error}");

            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "compare.json"), TestContext.Current.CancellationToken));
            var report = document.RootElement;
            Assert.True(report.GetProperty("passed").GetBoolean(), run.Output);
            var results = report.GetProperty("results").EnumerateArray().ToList();
            Assert.Equal(["a", "b", "c", "d", "e"], results.Select(r => r.GetProperty("scenario").GetString()));
            Assert.All(results, r =>
            {
                Assert.Equal(8, r.GetProperty("concurrency").GetInt32());
                Assert.True(r.GetProperty("calls").GetInt64() > 0, run.Output);
                Assert.Equal(JsonValueKind.Null, r.GetProperty("failure").ValueKind);
                Assert.Contains(r.GetProperty("processes").EnumerateArray(), p => p.GetProperty("role").GetString() == "front" && p.GetProperty("peakRssMiB").GetDouble() > 0);
            });

            // (c) measured the stdio servers the gateway started, one per client session; (e) the one they shared.
            Assert.Equal(8, UpstreamProcesses(results[2]));
            Assert.Equal(1, UpstreamProcesses(results[4]));
            Assert.True(File.Exists(Path.Combine(directory, "compare.svg")));
            Assert.StartsWith("<svg", await File.ReadAllTextAsync(Path.Combine(directory, "compare.svg"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static int UpstreamProcesses(JsonElement result) =>
        result.GetProperty("processes").EnumerateArray().Single(p => p.GetProperty("role").GetString() == "upstream").GetProperty("processes").GetInt32();

    [Fact]
    public async Task Compare_UnderAPolicyThatRefusesMostCalls_Fails()
    {
        var directory = Directory.CreateTempSubdirectory("mcpwarden-compare-refusing-").FullName;
        try
        {
            var run = await ProcessRunner.RunAsync("dotnet", [Harness, "compare", "--refusing-policy", "--out", directory], directory);

            Assert.True(run.ExitCode == 1, $"a run whose calls are refused must fail with 1, got {run.ExitCode}:\n{run.Output}\n{run.Error}");
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "compare.json"), TestContext.Current.CancellationToken));
            var report = document.RootElement;
            Assert.False(report.GetProperty("passed").GetBoolean());
            var failure = Assert.Single(report.GetProperty("failures").EnumerateArray()).GetString()!;
            Assert.StartsWith("(b) at concurrency 8:", failure, StringComparison.Ordinal);
            Assert.Contains("rate_limited", failure, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
