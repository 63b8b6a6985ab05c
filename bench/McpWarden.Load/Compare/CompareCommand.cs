using System.Text.Json;

namespace McpWarden.Load.Compare;

/// <summary><c>load.sh compare</c>: the fixture directly, through McpWarden over HTTP and over stdio, and through mcp-proxy, side by side.</summary>
internal static class CompareCommand
{
    public static LoadCommand Command { get; } = new("compare", "(a) the fixture directly, (b) McpWarden -> HTTP, (c) McpWarden -> stdio, (d) mcp-proxy -> stdio, (e) McpWarden -> one shared stdio server; --ci for the regression check", RunAsync);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var options = CompareOptions.Parse(args, out var error);
        if (options is null)
        {
            await output.WriteLineAsync((string.IsNullOrEmpty(error) ? "" : "compare: " + error + "\n") + CompareOptions.Usage).ConfigureAwait(false);
            return string.IsNullOrEmpty(error) ? 0 : 2;
        }

        var paths = BenchPaths.Find(options.McpProxy);
        var machine = MachineFacts.Read(paths);
        await output.WriteLineAsync($"compare: {machine.Describe()}").ConfigureAwait(false);
        await output.WriteLineAsync($"compare: scenarios {string.Join(",", options.Scenarios.Select(s => s.Letter))} at concurrency {string.Join(",", options.Concurrency)}, {options.Warmup.TotalSeconds:0.#} s warm-up + {options.Duration.TotalSeconds:0.#} s each{(options.RefusingPolicy ? ", under a policy that refuses most calls (this run must fail)" : "")}").ConfigureAwait(false);

        var report = await CompareRun.RunAsync(options, paths, machine, output).ConfigureAwait(false);
        var markdown = CompareTable.Format(report);
        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteAsync(markdown).ConfigureAwait(false);

        var directory = Path.GetFullPath(options.Out ?? Path.Combine(paths.Root, "bench", "results"));
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "compare.md"), markdown).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(directory, "compare.json"), JsonSerializer.Serialize(report, Json)).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(directory, "compare.svg"), ComparePlot.Svg(report)).ConfigureAwait(false);
        await output.WriteLineAsync($"compare: wrote compare.md, compare.json and compare.svg to {directory}").ConfigureAwait(false);
        return report.Passed ? 0 : 1;
    }
}
