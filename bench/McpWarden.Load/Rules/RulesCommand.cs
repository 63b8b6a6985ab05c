using System.Globalization;
using System.Text;
using System.Text.Json;
using McpWarden.BenchKit;
using McpWarden.Load.Compare;

namespace McpWarden.Load.Rules;

/// <summary>
/// <c>load.sh rules</c>: the latency McpWarden adds at concurrency 1 as its policy grows from 10 to 10,000 rules. Each
/// size gets its own (a) run right before its (b) run, so a machine that slows down between sizes moves both.
/// </summary>
internal static class RulesCommand
{
    public static LoadCommand Command { get; } = new("rules", "the latency McpWarden adds over the fixture at 10, 1,000 and 10,000 rules (concurrency 1)", RunAsync);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var options = RulesOptions.Parse(args, out var error);
        if (options is null)
        {
            await output.WriteLineAsync((string.IsNullOrEmpty(error) ? "" : "rules: " + error + "\n") + RulesOptions.Usage).ConfigureAwait(false);
            return string.IsNullOrEmpty(error) ? 0 : 2;
        }

        var paths = BenchPaths.Find(mcpProxy: null);
        var machine = MachineFacts.Read(paths);
        await output.WriteLineAsync($"rules: {machine.Describe()}").ConfigureAwait(false);
        using var http = ClosedLoop.CreateHttpClient();
        var plan = new LoadPlan(Clients: 1, options.Warmup, Duration: null, options.Calls);
        var rows = new List<RulesRow>();
        var failures = new List<string>();
        foreach (var rules in options.Rules)
        {
            var policy = GeneratedPolicies.EchoUnderLimits(rules);
            var direct = await RunAsync(Scenario.Direct, paths, policy, plan, http).ConfigureAwait(false);
            var gateway = await RunAsync(Scenario.GatewayHttp, paths, policy, plan, http).ConfigureAwait(false);
            failures.AddRange(new[] { direct, gateway }.Where(r => r.Failure is not null).Select(r => $"({r.Scenario}) at {rules} rules: {r.Failure}"));
            var row = new RulesRow
            {
                Rules = rules,
                Direct = direct,
                Gateway = gateway,
                AddedP50Ms = Math.Round(gateway.LatencyMs.P50 - direct.LatencyMs.P50, 3),
                AddedP99Ms = Math.Round(gateway.LatencyMs.P99 - direct.LatencyMs.P99, 3),
            };
            rows.Add(row);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"rules: {rules} rules: (a) p50 {direct.LatencyMs.P50:F3} ms p99 {direct.LatencyMs.P99:F3} ms; (b) p50 {gateway.LatencyMs.P50:F3} ms p99 {gateway.LatencyMs.P99:F3} ms; added {row.AddedP50Ms:F3} / {row.AddedP99Ms:F3} ms")).ConfigureAwait(false);
        }

        var markdown = Format(rows, failures, machine, options);
        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteAsync(markdown).ConfigureAwait(false);
        var directory = Path.GetFullPath(options.Out ?? Path.Combine(paths.Root, "bench", "results"));
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "rules.md"), markdown).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(directory, "rules.json"), JsonSerializer.Serialize(new { machine, calls = options.Calls, warmupSeconds = options.Warmup.TotalSeconds, passed = failures.Count == 0, failures, rows }, Json)).ConfigureAwait(false);
        await output.WriteLineAsync($"rules: wrote rules.md and rules.json to {directory}").ConfigureAwait(false);
        return failures.Count == 0 ? 0 : 1;
    }

    private static async Task<ScenarioResult> RunAsync(Scenario scenario, BenchPaths paths, string policy, LoadPlan plan, HttpClient http)
    {
        ScenarioStack stack;
        try
        {
            stack = await ScenarioStack.StartAsync(scenario, paths, policy).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or FileNotFoundException or IOException)
        {
            return ScenarioResult.Unmeasured(scenario, concurrency: 1, $"did not start: {e.Message}");
        }

        await using (stack.ConfigureAwait(false))
        {
            var outcome = await ClosedLoop.RunAsync(http, stack.Endpoint, stack.Key, plan, stack.Roles, CancellationToken.None).ConfigureAwait(false);
            if (outcome.Failure is not null)
            {
                stack.Keep();
                return ScenarioResult.Unmeasured(scenario, concurrency: 1, $"{outcome.Failure} (logs in {stack.Directory})");
            }

            return ScenarioResult.Unmeasured(scenario, concurrency: 1, failure: null) with
            {
                Calls = outcome.Calls,
                WarmupCalls = outcome.WarmupCalls,
                Seconds = Math.Round(outcome.Seconds, 3),
                CallsPerSecond = Math.Round(outcome.CallsPerSecond, 1),
                LatencyMs = LatencyFigures.Of(outcome),
            };
        }
    }

    private static string Format(List<RulesRow> rows, List<string> failures, MachineFacts machine, RulesOptions options)
    {
        var culture = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(culture, $"Machine: {machine.Describe()}.");
        text.AppendLine(culture, $"One closed-loop client calling `echo`; {options.Calls} measured calls per run after {options.Warmup.TotalSeconds:0.#} s of warm-up; fresh processes per run; (b) with the SQLite store.");
        text.AppendLine();
        text.AppendLine("| rules | (a) p50 ms | (a) p99 ms | (b) p50 ms | (b) p99 ms | added p50 ms | added p99 ms | (b) calls/s |");
        text.AppendLine("|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var row in rows)
        {
            text.AppendLine(culture,
                $"| {row.Rules:N0} | {row.Direct.LatencyMs.P50:F3} | {row.Direct.LatencyMs.P99:F3} | {row.Gateway.LatencyMs.P50:F3} | {row.Gateway.LatencyMs.P99:F3} | {row.AddedP50Ms:+0.000;-0.000;0.000} | {row.AddedP99Ms:+0.000;-0.000;0.000} | {row.Gateway.CallsPerSecond:F0} |");
        }

        text.AppendLine();
        text.AppendLine(failures.Count == 0 ? "Every call was answered with its text." : "FAILED:");
        foreach (var failure in failures)
        {
            text.AppendLine(culture, $"- {failure}");
        }

        return text.ToString();
    }
}
