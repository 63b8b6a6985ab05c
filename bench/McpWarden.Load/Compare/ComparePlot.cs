using System.Globalization;
using System.Security;
using System.Text;

namespace McpWarden.Load.Compare;

/// <summary>
/// The report as an SVG drawn by hand (no plotting package): three panels — calls per second, p50 and p99 latency —
/// each with one group of bars per concurrency and one bar per scenario, the value written above each bar.
/// </summary>
internal static class ComparePlot
{
    private const int PanelWidth = 330;
    private const int PanelHeight = 260;
    private const int Left = 56;
    private const int Top = 56;
    private const int Gap = 36;

    private static readonly Dictionary<string, string> Colours = new(StringComparer.Ordinal)
    {
        ["a"] = "#4e79a7",
        ["b"] = "#f28e2b",
        ["c"] = "#59a14f",
        ["d"] = "#b07aa1",
        ["e"] = "#f28e2b",
    };

    public static string Svg(CompareReport report)
    {
        var results = report.Results.Where(r => r.Failure is null).ToList();
        var scenarios = report.Scenarios.Keys.ToList();
        var width = Left + (3 * PanelWidth) + (2 * Gap) + 20;
        var height = Top + PanelHeight + 90;
        var svg = new StringBuilder();
        Append(svg, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">""");
        Append(svg, $"""<rect width="{width}" height="{height}" fill="white"/>""");
        Append(svg, $"""<text x="{Left}" y="20" font-size="14" font-weight="bold">echo through each scenario: N closed-loop clients, {Num(report.DurationSeconds, 0)} s measured per bar</text>""");
        Append(svg, $"""<text x="{Left}" y="38" fill="#555">{Escape(report.Machine.Describe())}</text>""");

        Panel(svg, Left, "calls per second (higher is better)", results, scenarios, report.Concurrency, r => r.CallsPerSecond, 0);
        Panel(svg, Left + PanelWidth + Gap, "p50 latency, ms (lower is better)", results, scenarios, report.Concurrency, r => r.LatencyMs.P50, 2);
        Panel(svg, Left + (2 * (PanelWidth + Gap)), "p99 latency, ms (lower is better)", results, scenarios, report.Concurrency, r => r.LatencyMs.P99, 2);

        var y = Top + PanelHeight + 48;
        var x = Left;
        foreach (var letter in scenarios)
        {
            var title = report.Results.FirstOrDefault(r => r.Scenario == letter)?.Title ?? letter;
            Append(svg, $"""<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{Colours.GetValueOrDefault(letter, "#999")}"/>""");
            Append(svg, $"""<text x="{x + 16}" y="{y}">({letter}) {Escape(title)}</text>""");
            x += 250;
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Panel(StringBuilder svg, int x0, string title, List<ScenarioResult> results, List<string> scenarios, IReadOnlyList<int> concurrencies, Func<ScenarioResult, double> value, int decimals)
    {
        var top = Top + 20;
        var bottom = Top + PanelHeight;
        var max = NiceCeiling(results.Select(value).DefaultIfEmpty(1).Max());
        Append(svg, $"""<text x="{x0}" y="{Top + 6}" font-weight="bold">{Escape(title)}</text>""");
        for (var tick = 0; tick <= 4; tick++)
        {
            var y = bottom - ((bottom - top) * tick / 4.0);
            Append(svg, $"""<line x1="{x0}" y1="{Num(y, 1)}" x2="{x0 + PanelWidth}" y2="{Num(y, 1)}" stroke="#ddd"/>""");
            Append(svg, $"""<text x="{x0 - 4}" y="{Num(y + 4, 1)}" text-anchor="end" fill="#555">{Num(max * tick / 4, decimals == 0 ? 0 : 1)}</text>""");
        }

        var groupWidth = (double)PanelWidth / Math.Max(1, concurrencies.Count);
        var barWidth = (groupWidth - 16) / Math.Max(1, scenarios.Count);
        for (var g = 0; g < concurrencies.Count; g++)
        {
            var groupX = x0 + (g * groupWidth) + 8;
            for (var s = 0; s < scenarios.Count; s++)
            {
                var result = results.FirstOrDefault(r => r.Concurrency == concurrencies[g] && r.Scenario == scenarios[s]);
                if (result is null)
                {
                    continue;
                }

                var v = value(result);
                var h = max > 0 ? (bottom - top) * v / max : 0;
                var bx = groupX + (s * barWidth);
                Append(svg, $"""<rect x="{Num(bx, 1)}" y="{Num(bottom - h, 1)}" width="{Num(barWidth - 2, 1)}" height="{Num(h, 1)}" fill="{Colours.GetValueOrDefault(scenarios[s], "#999")}"/>""");
                Append(svg, $"""<text x="{Num(bx + ((barWidth - 2) / 2), 1)}" y="{Num(bottom - h - 3, 1)}" text-anchor="middle" font-size="9">{Num(v, v >= 100 ? 0 : decimals)}</text>""");
            }

            Append(svg, $"""<text x="{Num(x0 + (g * groupWidth) + (groupWidth / 2), 1)}" y="{bottom + 16}" text-anchor="middle">c = {concurrencies[g]}</text>""");
        }

        Append(svg, $"""<line x1="{x0}" y1="{bottom}" x2="{x0 + PanelWidth}" y2="{bottom}" stroke="#333"/>""");
    }

    /// <summary>1, 2 or 5 times a power of ten, at least <paramref name="value"/>: a round top for an axis.</summary>
    private static double NiceCeiling(double value)
    {
        if (value <= 0 || !double.IsFinite(value))
        {
            return 1;
        }

        var power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in new[] { 1.0, 2.0, 2.5, 5.0, 10.0 })
        {
            if (step * power >= value)
            {
                return step * power;
            }
        }

        return 10 * power;
    }

    private static void Append(StringBuilder svg, string element) => svg.Append(element).Append('\n');

    private static string Num(double value, int decimals) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string Escape(string text) => SecurityElement.Escape(text) ?? string.Empty;
}
