using System.Globalization;
using System.Text;

namespace McpWarden.Load.Compare;

/// <summary>The report as Markdown: the machine, the scenarios, one row per scenario and concurrency, the verdict.</summary>
internal static class CompareTable
{
    public static string Format(CompareReport report)
    {
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.AppendLine(culture, $"Machine: {report.Machine.Describe()}.");
        text.AppendLine(culture, $"Each run: {report.WarmupSeconds:0.#} s of warm-up, then {report.DurationSeconds:0.#} s measured; N closed-loop clients, each its own MCP session calling `echo`; fresh processes per row; (b), (c) and (e) under a {report.PolicyRules}-rule policy with the SQLite store.");
        text.AppendLine();
        foreach (var (letter, description) in report.Scenarios)
        {
            text.AppendLine(culture, $"- ({letter}) {description}");
        }

        text.AppendLine();
        text.AppendLine("| | c | calls/s | × (a) | p50 ms | p99 ms | p99.9 ms | + p50 ms | + p99 ms | CPU s/1k calls: front · upstream · harness | peak RSS MiB: front · upstream |");
        text.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|");
        foreach (var r in report.Results)
        {
            if (r.Failure is not null)
            {
                text.AppendLine(culture, $"| ({r.Scenario}) | {r.Concurrency} | failed | | | | | | | {Escape(r.Failure)} | |");
                continue;
            }

            var front = r.Role("front");
            var upstream = r.Role("upstream");
            var harness = r.Role("harness");
            text.AppendLine(culture,
                $"| ({r.Scenario}) | {r.Concurrency} | {r.CallsPerSecond:F0} | {Ratio(r.VsDirect?.Throughput)} | {r.LatencyMs.P50:F3} | {r.LatencyMs.P99:F3} | {r.LatencyMs.P999:F3} | {Added(r.VsDirect?.AddedP50Ms)} | {Added(r.VsDirect?.AddedP99Ms)} | {Cpu(front)} · {Cpu(upstream)} · {Cpu(harness)} ({harness?.CpuShare:P0}) | {Rss(front)} · {Rss(upstream)} |");
        }

        text.AppendLine();
        text.AppendLine("CPU is utime + stime from /proc/PID/stat over the measured window; peak RSS is VmHWM from /proc/PID/status at the end. \"upstream\" is the fixture behind the front: one process for (b), the stdio children for (c), (d) and (e) (their count in brackets; RSS summed, each child's own peak). The harness's share is of all CPU the run's processes used.");
        text.AppendLine();
        text.AppendLine(report.Passed ? "Verdict: passed." : "Verdict: FAILED");
        foreach (var failure in report.Failures)
        {
            text.AppendLine(culture, $"- {failure}");
        }

        return text.ToString();
    }

    private static string Ratio(double? ratio) => ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "1";

    private static string Added(double? ms) => ms is { } m ? m.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture) : "";

    private static string Cpu(ProcessFigures? figures) => figures is null ? "–"
        : figures.CpuSecondsPer1000Calls.ToString("0.000", CultureInfo.InvariantCulture) + (figures.What.Contains("stdio", StringComparison.Ordinal) ? $" ({figures.Processes.ToString(CultureInfo.InvariantCulture)}×)" : "");

    private static string Rss(ProcessFigures? figures) => figures is null ? "–" : figures.PeakRssMiB.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
