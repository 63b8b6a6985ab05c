using System.Globalization;
using System.Text;
using McpWarden.Catalog.Classification;
using McpWarden.Gateway.Pinning;
using McpWarden.Policy.Compilation;

namespace McpWarden.Gateway.Inventory;

/// <summary>
/// The inventory for a person at a terminal: one row per tool (server, tool, category, risk, rule, pin, scan
/// findings, whether the agent sees it), the rationale and each finding wrapped beneath it, within 120 columns.
/// Every string a server wrote is escaped first: its control, bidi and invisible characters are shown as
/// <c>\u{…}</c>, never sent to the terminal.
/// </summary>
public static class InventoryTable
{
    public const int Width = 120;

    private const string Indent = "    ";

    private static readonly string[] Headings = ["SERVER", "TOOL", "CATEGORY", "RISK", "RULE", "PIN", "FINDINGS", "AGENT"];

    /// <summary>Widest a column grows to fit its cells; a longer cell overflows its row rather than widening every row.</summary>
    private static readonly int[] MaxWidths = [14, 30, 13, 8, 16, 8, 8, 6];

    public static void Write(InventoryReport report, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        var rows = report.Servers.SelectMany(Rows).ToList();
        var widths = Headings.Select((heading, column) => Math.Min(MaxWidths[column], rows.Where(r => r.Cells is not null).Select(r => r.Cells![column].Length).Append(heading.Length).Max())).ToArray();
        output.WriteLine(Line(Headings, widths));
        foreach (var row in rows)
        {
            if (row.Cells is not null)
            {
                output.WriteLine(Line(row.Cells, widths));
            }

            foreach (var note in row.Notes)
            {
                foreach (var wrapped in Wrap(note, Width - Indent.Length))
                {
                    output.WriteLine(Indent + wrapped);
                }
            }
        }
    }

    /// <summary>The cell for a rule: its action, its first limit, and whether it is the default.</summary>
    public static string RuleCell(CompiledRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var text = InventoryJson.ActionName(rule.Action);
        if (rule.Limits.Count > 0)
        {
            var first = rule.Limits[0];
            text += $" {InventoryJson.Number(first.Max)}/{WindowText(first.Window)}";
            if (rule.Limits.Count > 1)
            {
                text += $" +{rule.Limits.Count - 1}";
            }
        }

        return rule.IsDefault ? text + " (default)" : text;
    }

    /// <summary>Text a server wrote, made safe for a terminal: control, format (bidi, zero-width, tag) and separator characters escaped.</summary>
    public static string Safe(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var safe = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned)
            {
                safe.Append(CultureInfo.InvariantCulture, $"\\u{{{rune.Value:X4}}}");
            }
            else
            {
                safe.Append(rune.ToString());
            }
        }

        return safe.ToString();
    }

    private static IEnumerable<Row> Rows(ServerInventory server)
    {
        var name = Safe(server.Name);
        if (server.Error is { } error)
        {
            yield return new Row([name, "-", "-", "-", "-", "-", "-", "-"], [$"not listed: {Safe(error)}"]);
            yield break;
        }

        foreach (var tool in server.Tools)
        {
            var notes = new List<string> { Safe(tool.Classification.Rationale) };
            notes.AddRange(tool.Findings.Select(f => $"! {Safe(f.Kind)} at {Safe(f.Path)}: {Safe(f.Message)}"));
            if (tool.Pin.State == PinState.Changed)
            {
                notes.Add($"! the definition differs from the pinned one (mcpwarden pins accept {name}/{Safe(tool.Name)})");
            }

            yield return new Row(
                [
                    name,
                    Safe(tool.Name),
                    CatalogNames.Of(tool.Classification.Category),
                    CatalogNames.Of(tool.Classification.Risk),
                    RuleCell(tool.Rule),
                    InventoryJson.PinStateName(tool.Pin.State),
                    tool.Findings.Count.ToString(CultureInfo.InvariantCulture),
                    tool.Visible ? "sees" : "hidden",
                ],
                notes);
        }

        var serverNotes = server.InstructionFindings.Select(f => $"! instructions {Safe(f.Kind)} at {Safe(f.Path)}: {Safe(f.Message)}")
            .Concat(server.CatalogFindings.Select(f => $"note: {Safe(f)}"))
            .ToList();
        if (server.Truncated)
        {
            serverNotes.Add($"note: {name} offered more than {UpstreamProbe.MaxPages} pages of tools; only those are listed");
        }

        if (server.Tools.Count == 0)
        {
            yield return new Row([name, "-", "-", "-", "-", "-", "-", "-"], ["lists no tools", .. serverNotes]);
        }
        else if (serverNotes.Count > 0)
        {
            yield return new Row(null, serverNotes.Select(n => $"{name}: {n}").ToList());
        }
    }

    private static string Line(string[] cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            line.Append(i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i]) + "  ");
        }

        return line.ToString().TrimEnd();
    }

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear();
            }

            line.Append(line.Length > 0 ? " " : string.Empty).Append(word);
            while (line.Length > width)
            {
                // A single word longer than the line (a URL, say) is cut rather than left to overflow.
                yield return line.ToString(0, width);
                line.Remove(0, width);
            }
        }

        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }

    private static string WindowText(TimeSpan window) => window.TotalSeconds switch
    {
        60 => "min",
        3600 => "h",
        86400 => "day",
        1 => "s",
        var seconds => seconds.ToString(CultureInfo.InvariantCulture) + "s",
    };

    /// <summary>A table row (null for server notes without a row) and the lines under it.</summary>
    private sealed record Row(string[]? Cells, IReadOnlyList<string> Notes);
}
