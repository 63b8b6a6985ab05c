using System.Globalization;
using System.Text;

namespace McpWarden.Load.Sessions;

/// <summary>The run's figures as text: a table of the counts, the slope per session, and what the extra memory is made of.</summary>
internal static class SessionsReport
{
    /// <summary>The target: at most this much of the gateway's own memory per idle session.</summary>
    public const double TargetKiB = 64;

    private const int TypesShown = 30;

    public static string Describe(MemoryPoint point) =>
        FormattableString.Invariant($"VmRSS {point.Memory.RssKiB / 1024.0:F1} MiB, RssAnon {point.Memory.AnonKiB / 1024.0:F1} MiB, {point.Memory.Threads} threads")
        + (point.Census is { } census ? FormattableString.Invariant($", live managed {census.Bytes / 1048576.0:F1} MiB in {census.Objects:N0} objects, GC heap committed {census.CommittedBytes / 1048576.0:F1} MiB") : "");

    private static void Slopes(Action<string> write, MemoryPoint from, MemoryPoint to)
    {
        var added = (double)(to.Sessions - from.Sessions);
        write(FormattableString.Invariant($"  VmRSS        {(to.Memory.RssKiB - from.Memory.RssKiB) / added,8:F1} KiB"));
        write(FormattableString.Invariant($"  RssAnon      {(to.Memory.AnonKiB - from.Memory.AnonKiB) / added,8:F1} KiB"));
        if (from.Census is { } before && to.Census is { } after)
        {
            write(FormattableString.Invariant($"  GC committed {(after.CommittedBytes - before.CommittedBytes) / 1024.0 / added,8:F1} KiB"));
            write(FormattableString.Invariant($"  live managed {(after.Bytes - before.Bytes) / 1024.0 / added,8:F1} KiB in {(after.Objects - before.Objects) / added:F0} objects"));
        }
    }

    public static string Table(IReadOnlyList<MemoryPoint> points, SessionsOptions options)
    {
        var text = new StringBuilder();
        void Line(string s) => text.Append(s).Append('\n');
        Line("");
        Line("| idle sessions | VmRSS (MiB) | RssAnon (MiB) | threads | GC committed (MiB) | live managed (MiB) | live objects |");
        Line("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var p in points)
        {
            Line(FormattableString.Invariant($"| {p.Sessions:N0} | {p.Memory.RssKiB / 1024.0:F1} | {p.Memory.AnonKiB / 1024.0:F1} | {p.Memory.Threads} | {(p.Census is { } g ? (g.CommittedBytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) : "-")} | {(p.Census is { } c ? (c.Bytes / 1048576.0).ToString("F2", CultureInfo.InvariantCulture) : "-")} | {(p.Census is { } o ? o.Objects.ToString("N0", CultureInfo.InvariantCulture) : "-")} |"));
        }

        var first = points[0];
        var last = points[^1];
        var added = last.Sessions - first.Sessions;
        Line("");
        Line(FormattableString.Invariant($"per idle session, (M({last.Sessions}) - M({first.Sessions})) / {added}:"));
        var rss = (last.Memory.RssKiB - first.Memory.RssKiB) / (double)added;
        Slopes(Line, first, last);
        Line(FormattableString.Invariant($"  target: at most {TargetKiB:F0} KiB of VmRSS per idle session: {(rss <= TargetKiB ? "met" : "NOT met")}"));
        if (points.Count > 2)
        {
            // The last step alone: code run for the first few sessions (warm-up the --warmup sessions missed) is out of it.
            Line(FormattableString.Invariant($"per idle session, (M({last.Sessions}) - M({points[^2].Sessions})) / {last.Sessions - points[^2].Sessions}:"));
            Slopes(Line, points[^2], last);
        }

        if (first.Census is { } from && last.Census is { } to)
        {
            Line("");
            Line(FormattableString.Invariant($"what one more idle session keeps alive (live managed objects, {last.Sessions:N0} sessions against {first.Sessions:N0}), the {TypesShown} largest types:"));
            Line("| type | objects per session | bytes per session |");
            Line("|---|---:|---:|");
            var growth = to.ByType
                .Select(t => (Type: t.Key, Count: t.Value.Count - from.ByType.GetValueOrDefault(t.Key).Count, Bytes: t.Value.Bytes - from.ByType.GetValueOrDefault(t.Key).Bytes))
                .Where(t => t.Bytes > 0)
                .OrderByDescending(t => t.Bytes)
                .Take(TypesShown);
            foreach (var (type, count, bytes) in growth)
            {
                Line(FormattableString.Invariant($"| `{type}` | {count / (double)added:F2} | {bytes / (double)added:F0} |"));
            }
        }

        if (options.StdioUpstream)
        {
            Line("");
            Line("(upstream over stdio: each session's child process is not counted; only the gateway's own process is)");
        }

        return text.ToString();
    }
}
