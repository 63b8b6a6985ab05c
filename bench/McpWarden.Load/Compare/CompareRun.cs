using System.Globalization;
using McpWarden.BenchKit;

namespace McpWarden.Load.Compare;

/// <summary>
/// Every scenario at every concurrency, one after the other (all scenarios at one concurrency before the next, so
/// each ratio against (a) compares runs minutes apart at most), each with fresh processes; then the verdict.
/// </summary>
internal static class CompareRun
{
    public static async Task<CompareReport> RunAsync(CompareOptions options, BenchPaths paths, MachineFacts machine, TextWriter progress)
    {
        var policy = options.RefusingPolicy ? GatewayConfiguration.RefusingPolicy() : GeneratedPolicies.EchoUnderLimits(CompareOptions.PolicyRules);
        using var http = ClosedLoop.CreateHttpClient();
        var results = new List<ScenarioResult>();
        foreach (var concurrency in options.Concurrency)
        {
            foreach (var scenario in options.Scenarios)
            {
                var result = await RunOneAsync(scenario, concurrency, options, paths, policy, http).ConfigureAwait(false);
                results.Add(result);
                await progress.WriteLineAsync(Line(result)).ConfigureAwait(false);
            }
        }

        results = [.. results.Select(r => r.Scenario == "a" || results.FirstOrDefault(d => d.Scenario == "a" && d.Concurrency == r.Concurrency && d.Failure is null) is not { } direct || r.Failure is not null
            ? r
            : r with { VsDirect = RatioFigures.Between(r, direct) })];
        var failures = Judge(results, options);
        return new CompareReport
        {
            Passed = failures.Count == 0,
            Failures = failures,
            Machine = machine,
            Concurrency = options.Concurrency,
            DurationSeconds = options.Duration.TotalSeconds,
            WarmupSeconds = options.Warmup.TotalSeconds,
            PolicyRules = CompareOptions.PolicyRules,
            Ci = options.Ci,
            Scenarios = options.Scenarios.ToDictionary(s => s.Letter.ToString(), s => s.Description),
            Results = results,
        };
    }

    private static async Task<ScenarioResult> RunOneAsync(Scenario scenario, int concurrency, CompareOptions options, BenchPaths paths, string policy, HttpClient http)
    {
        ScenarioStack stack;
        try
        {
            stack = await ScenarioStack.StartAsync(scenario, paths, policy).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or FileNotFoundException or IOException)
        {
            return ScenarioResult.Unmeasured(scenario, concurrency, $"did not start: {e.Message}");
        }

        await using (stack.ConfigureAwait(false))
        {
            MeasuredRole[] roles = [.. stack.Roles, new MeasuredRole("harness", "McpWarden.Load (this harness)", Environment.ProcessId, Descendants: false)];
            var outcome = await ClosedLoop.RunAsync(http, stack.Endpoint, stack.Key, new LoadPlan(concurrency, options.Warmup, options.Duration, Calls: null), roles, CancellationToken.None).ConfigureAwait(false);
            if (outcome.Failure is null && outcome.Calls == 0)
            {
                outcome = outcome with { Failure = "no call was measured: every call of the window was still unanswered at its end" };
            }

            if (outcome.Failure is not null)
            {
                // A failed run keeps its files to be looked into; the refusing-policy self-check fails on purpose.
                if (!options.RefusingPolicy)
                {
                    stack.Keep();
                }

                return ScenarioResult.Unmeasured(scenario, concurrency, $"{outcome.Failure} (after {outcome.WarmupCalls + outcome.Calls} good calls; logs in {stack.Directory})");
            }

            var cpu = roles.ToDictionary(r => r, r => outcome.End!.Since(outcome.Start!, r));
            var total = cpu.Values.Sum(c => c.Seconds);
            return new ScenarioResult
            {
                Scenario = scenario.Letter.ToString(),
                Title = scenario.Title,
                Concurrency = concurrency,
                Calls = outcome.Calls,
                WarmupCalls = outcome.WarmupCalls,
                Seconds = Math.Round(outcome.Seconds, 3),
                CallsPerSecond = Math.Round(outcome.CallsPerSecond, 1),
                LatencyMs = LatencyFigures.Of(outcome),
                Processes = [.. roles.Select(r => new ProcessFigures
                {
                    Role = r.Role,
                    What = r.What,
                    Processes = cpu[r].Processes,
                    CpuSeconds = Math.Round(cpu[r].Seconds, 2),
                    CpuSecondsPer1000Calls = outcome.Calls > 0 ? Math.Round(cpu[r].Seconds * 1000 / outcome.Calls, 4) : 0,
                    CpuShare = total > 0 ? Math.Round(cpu[r].Seconds / total, 3) : 0,
                    PeakRssMiB = Math.Round(outcome.End!.PeakRssBytes(r) / 1048576.0, 1),
                })],
            };
        }
    }

    /// <summary>Every reason the run fails: a scenario that failed, and with --ci a floor not held.</summary>
    private static List<string> Judge(List<ScenarioResult> results, CompareOptions options)
    {
        var failures = results.Where(r => r.Failure is not null).Select(r => $"({r.Scenario}) at concurrency {r.Concurrency}: {r.Failure}").ToList();
        if (!options.Ci)
        {
            return failures;
        }

        foreach (var concurrency in options.Concurrency)
        {
            ScenarioResult? Of(char letter) => results.FirstOrDefault(r => r.Scenario == letter.ToString() && r.Concurrency == concurrency && r.Failure is null);
            if (Of('a') is { } a && Of('b') is { } b && b.CallsPerSecond < CompareOptions.CiGatewayFloor * a.CallsPerSecond)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"(b) kept {b.CallsPerSecond / a.CallsPerSecond:P0} of (a)'s calls per second at concurrency {concurrency} ({b.CallsPerSecond:F0} of {a.CallsPerSecond:F0}); the floor is {CompareOptions.CiGatewayFloor:P0}"));
            }

            if (Of('c') is { } c && Of('d') is { } d && c.CallsPerSecond < CompareOptions.CiStdioFloor * d.CallsPerSecond)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"(c) reached {c.CallsPerSecond / d.CallsPerSecond:P0} of (d)'s calls per second at concurrency {concurrency} ({c.CallsPerSecond:F0} of {d.CallsPerSecond:F0}); the floor is {CompareOptions.CiStdioFloor:P0}"));
            }
        }

        return failures;
    }

    private static string Line(ScenarioResult r) => r.Failure is not null
        ? $"compare: {Scenario.All.First(s => s.Letter.ToString() == r.Scenario).Label} c={r.Concurrency}: FAILED: {r.Failure}"
        : string.Create(CultureInfo.InvariantCulture,
            $"compare: ({r.Scenario}) c={r.Concurrency}: {r.CallsPerSecond:F0} calls/s ({r.Calls} calls in {r.Seconds:F1} s), p50 {r.LatencyMs.P50:F3} ms, p99 {r.LatencyMs.P99:F3} ms, p99.9 {r.LatencyMs.P999:F3} ms; harness {r.Role("harness")?.CpuShare:P0} of the CPU used");
}
