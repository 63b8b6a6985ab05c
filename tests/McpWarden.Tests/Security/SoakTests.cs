using System.Text.Json;
using McpWarden.Testing;
using Xunit;

namespace McpWarden.Tests.Security;

/// <summary>
/// The soak harness (bench/McpWarden.Soak) as CI runs it: the real <c>mcpwarden serve</c> with its SQLite store in
/// front of the fixture over HTTP, 32 clients for 60 seconds with the fixture killed and restarted in between.
/// The harness checks every answer and the fixture's call log itself and exits non-zero on anything unexpected,
/// on a limit exceeded, on a refused call that ran, on a gateway crash and on memory growth; these tests hold it
/// to that, to the report it writes, and prove that its checks can fail.
/// </summary>
[Trait("Security", "soak")]
[Trait(AloneTestGroup.Trait, AloneTestGroup.TraitValue)]
[Collection(AloneTestGroup.Name)]
public sealed class SoakTests
{
    private static readonly string[] Counters = ["workflows_per_grant", "spend", "text_global"];

    private static string Harness => RepositoryPaths.BenchHarness("McpWarden.Soak");

    [Fact]
    public async Task Soak_SixtySecondsOf32ClientsWithUpstreamRestarts_HoldsEveryCheck()
    {
        var directory = Directory.CreateTempSubdirectory("mcpwarden-soak-test-").FullName;
        try
        {
            var reportPath = Path.Combine(directory, "soak.json");
            var run = await ProcessRunner.RunAsync("dotnet", [Harness, "--duration", "60s", "--clients", "32", "--report", reportPath], directory);
            Assert.True(run.ExitCode == 0, $"the soak failed ({run.ExitCode}):\n{run.Output}\n{run.Error}");

            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(reportPath, TestContext.Current.CancellationToken));
            var report = document.RootElement;
            Assert.True(report.GetProperty("passed").GetBoolean());
            Assert.Equal(0, report.GetProperty("failures").GetArrayLength());

            var kinds = Counts(report.GetProperty("kinds"));
            Assert.True(kinds.GetValueOrDefault("ok") > 0, run.Output);
            Assert.True(kinds.GetValueOrDefault("denied:denied_by_rule") > 0, run.Output);
            Assert.True(kinds.GetValueOrDefault("denied:default_deny") > 0, run.Output);
            Assert.True(kinds.GetValueOrDefault("denied:invalid_arguments") > 0, run.Output);
            Assert.True(kinds.GetValueOrDefault("rate_limited") > 0, run.Output);
            Assert.False(kinds.ContainsKey("unexpected"), run.Output);
            Assert.False(kinds.ContainsKey("transport_error"), run.Output);
            var details = Counts(report.GetProperty("details"));
            Assert.All(Counters, counter => Assert.True(details.GetValueOrDefault("rate_limited/" + counter) > 0, $"nothing was refused by {counter}:\n{run.Output}"));

            // The fixture was killed and came back at least once, and clients saw the gap as the gateway's clean error.
            var restarts = report.GetProperty("upstreamRestarts").EnumerateArray().ToList();
            Assert.NotEmpty(restarts);
            Assert.True(restarts[0].GetProperty("upAt").ValueKind == JsonValueKind.Number, run.Output);
            Assert.True(kinds.GetValueOrDefault("upstream_unavailable") > 0, run.Output);

            // Memory was sampled about every second and judged bounded.
            Assert.True(report.GetProperty("rss").GetArrayLength() >= 30, run.Output);
            Assert.True(report.GetProperty("growth").GetProperty("judged").GetBoolean(), run.Output);
            Assert.False(report.GetProperty("growth").GetProperty("grew").GetBoolean(), run.Output);

            // From the server's side: what the policy refuses never ran, and no limit admitted more than its max.
            var ran = Counts(report.GetProperty("server").GetProperty("ranOnServer"));
            Assert.False(ran.ContainsKey("delete_records"));
            Assert.False(ran.ContainsKey("b2c_payment"));
            Assert.True(ran.GetValueOrDefault("get_balance") >= report.GetProperty("byCall").GetProperty("get_balance").GetProperty("ok").GetInt64());
            foreach (var limit in report.GetProperty("limits").EnumerateArray())
            {
                Assert.True(limit.GetProperty("mostUnitsInOneWindow").GetDouble() <= limit.GetProperty("max").GetDouble(), limit.GetRawText());
            }

            Assert.Equal(0, report.GetProperty("gatewayExitCode").GetInt32());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Soak_AgainstAPolicyThatLetsARefusedToolThrough_Fails()
    {
        var directory = Directory.CreateTempSubdirectory("mcpwarden-soak-broken-").FullName;
        try
        {
            var reportPath = Path.Combine(directory, "soak.json");
            var run = await ProcessRunner.RunAsync("dotnet", [Harness, "--duration", "15s", "--clients", "8", "--broken-policy", "--report", reportPath], directory);

            Assert.True(run.ExitCode == 1, $"the soak under a broken policy must fail with 1, got {run.ExitCode}:\n{run.Output}\n{run.Error}");
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(reportPath, TestContext.Current.CancellationToken));
            var report = document.RootElement;
            Assert.False(report.GetProperty("passed").GetBoolean());
            Assert.True(Counts(report.GetProperty("kinds")).GetValueOrDefault("unexpected") > 0, run.Output);
            Assert.True(Counts(report.GetProperty("server").GetProperty("ranOnServer")).GetValueOrDefault("delete_records") > 0, run.Output);
            var failures = report.GetProperty("failures").EnumerateArray().Select(f => f.GetString()!).ToList();
            Assert.Contains(failures, f => f.StartsWith("delete_records is refused by the policy but ran on the server", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task SelfTest_JudgementsOnKnownInputs_AreAllAsExpected()
    {
        var run = await ProcessRunner.RunAsync("dotnet", [Harness, "--self-test"], RepositoryPaths.Root);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains("growth: a 3 MB/min leak under the same noise over 30 min is growing", run.Output, StringComparison.Ordinal);
        Assert.Contains("limits: 26 text calls within one second break it", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", run.Output, StringComparison.Ordinal);
    }

    private static Dictionary<string, long> Counts(JsonElement counts) =>
        counts.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal);
}
