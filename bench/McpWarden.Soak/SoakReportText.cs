using System.Globalization;
using System.Text;

namespace McpWarden.Soak;

/// <summary>The report for people: what ran, what came back, memory over time, and the verdict.</summary>
internal static class SoakReportText
{
    public static string Format(SoakReport report)
    {
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.AppendLine(culture, $"\n== soak: {report.Clients} clients, {report.DurationSeconds:F0} s, seed {report.Seed} ==");
        text.AppendLine(culture, $"calls: {report.Calls} ({report.CallsPerSecond:F1}/s); latency ms p50 {report.LatencyMs["p50"]}, p95 {report.LatencyMs["p95"]}, p99 {report.LatencyMs["p99"]}, max {report.LatencyMs["max"]}");
        text.AppendLine(culture, $"sessions opened: {report.SessionsOpened}, failed to open: {report.SessionOpenFailures}");
        text.AppendLine("results by kind:");
        foreach (var (kind, count) in report.Details)
        {
            text.AppendLine(culture, $"  {kind,-40} {count,10}");
        }

        text.AppendLine("by call:");
        foreach (var (label, kinds) in report.ByCall)
        {
            text.AppendLine(culture, $"  {label,-28} {string.Join(", ", kinds.Select(k => $"{k.Key} {k.Value}"))}");
        }

        text.AppendLine(culture, $"upstream restarts: {report.UpstreamRestarts.Count} ({string.Join(", ", report.UpstreamRestarts.Select(r => r.UpAt is { } up ? $"{r.KilledAt:F0}s→{up:F0}s" : $"{r.KilledAt:F0}s→never"))})");
        text.AppendLine(culture, $"throughput (calls/s, every {report.ThroughputEverySeconds} s): {Summarise(report.Throughput)}");
        text.AppendLine(culture, $"gateway RSS (MB): {Summarise(report.Rss.Select(s => Math.Round(s.RssKb / 1024.0, 1)).ToList())}");
        text.AppendLine(culture, $"gateway threads: {Summarise(report.Rss.Select(s => (double)s.Threads).ToList())}");
        text.AppendLine("memory: " + report.Growth.Explanation);
        foreach (var limit in report.Limits)
        {
            text.AppendLine(culture, $"limit {limit.Counter} ({limit.Scope}, {limit.Max} per {limit.WindowSeconds} s): {limit.SucceededCalls} calls succeeded, at most {limit.MostUnitsInOneWindow} units provably in one window");
        }

        text.AppendLine(culture, $"ran on the server: {string.Join(", ", report.Server.RanOnServer.Select(p => $"{p.Key} {p.Value}"))}");
        foreach (var example in report.Examples)
        {
            text.AppendLine("  example: " + example);
        }

        text.AppendLine(report.Passed ? "PASSED" : "FAILED:\n  " + string.Join("\n  ", report.Failures));
        return text.ToString();
    }

    /// <summary>A long series shown as at most 20 evenly spaced values (the whole series is in the JSON report).</summary>
    private static string Summarise(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return "(none)";
        }

        var step = Math.Max(1, (int)Math.Ceiling(values.Count / 20.0));
        return string.Join(" ", values.Where((_, i) => i % step == 0).Select(v => v.ToString("0.#", CultureInfo.InvariantCulture)));
    }
}
