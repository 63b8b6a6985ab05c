using System.Globalization;
using System.Text;
using System.Text.Json;
using McpWarden.Catalog.Definitions;

namespace McpWarden.Catalog.Scanning;

/// <summary>
/// Scans every string of a tool's definition the model will read (title, descriptions, schema descriptions,
/// enum values, defaults, examples) for hidden Unicode, instructions aimed at the model, and shadowing.
/// </summary>
/// <remarks>
/// What is read: the tool's <c>name</c>, <c>title</c> and <c>description</c>, every string in
/// <c>annotations</c>, and every string and every member name anywhere in <c>inputSchema</c> and
/// <c>outputSchema</c> (so a property named <c>ignore_previous_instructions</c> is read too). Names are read
/// with their separators as spaces. Each (kind, path) is reported once. The scan never throws: it stops at
/// <see cref="MaxDepth"/> levels, <see cref="MaxNodes"/> values and <see cref="MaxTotalChars"/> characters,
/// reads at most <see cref="MaxStringChars"/> of one string, and reports what it could not read as
/// <see cref="ScanKinds.Unscannable"/>. Its work is linear in what it reads: a path is written out only for a
/// finding (at most <see cref="MaxFindings"/>, each path at most <see cref="MaxPathChars"/> long), and once a
/// limit is reached nothing more of the definition is visited.
/// </remarks>
public static class PoisoningScanner
{
    public const int MaxDepth = 64;
    public const int MaxNodes = 20_000;
    public const int MaxStringChars = 50_000;
    public const int MaxTotalChars = 250_000;

    /// <summary>At most this many findings are reported for one definition; past them the scan stops (flagged either way).</summary>
    public const int MaxFindings = 100;

    /// <summary>A finding's path longer than this is shown cut (its start and end kept, <c>…</c> between).</summary>
    public const int MaxPathChars = 512;

    private const int MaxSegmentChars = 64;

    private static readonly string[] TopLevelStrings = ["name", "title", "description"];
    private static readonly string[] TopLevelTrees = ["annotations", "inputSchema", "outputSchema"];

    public static IReadOnlyList<ScanFinding> Scan(ToolDefinition tool, ScanContext context)
    {
        ArgumentNullException.ThrowIfNull(tool);
        ArgumentNullException.ThrowIfNull(context);
        var scan = new ScanRun(context, tool.Name);
        if (tool.Json.ValueKind != JsonValueKind.Object)
        {
            return scan.Findings;
        }

        foreach (var member in TopLevelStrings)
        {
            if (tool.Json.TryGetProperty(member, out var value) && value.ValueKind == JsonValueKind.String)
            {
                scan.String(value, new Step(null, member), isName: member == "name");
            }
        }

        foreach (var member in TopLevelTrees)
        {
            if (tool.Json.TryGetProperty(member, out var value))
            {
                scan.Tree(value, new Step(null, member), depth: 1);
            }
        }

        return scan.Findings;
    }

    /// <summary>
    /// Builds the scan's expressions and runs it once on a harmless text, so that the first real scan does not pay for
    /// that: the non-backtracking automata cost about half a second of CPU to construct, which a client would otherwise
    /// wait for in its first <c>tools/list</c>. A host calls this on a thread it can spare, while it waits anyway.
    /// </summary>
    public static void Prepare() => ScanInstructions("Returns the balance of an account; call it when the user asks.", ScanContext.Alone("prepare"));

    /// <summary>Scans the server's own <c>instructions</c> (also read by the model).</summary>
    public static IReadOnlyList<ScanFinding> ScanInstructions(string instructions, ScanContext context)
    {
        ArgumentNullException.ThrowIfNull(instructions);
        ArgumentNullException.ThrowIfNull(context);
        var scan = new ScanRun(context, ownName: null);
        scan.Text(instructions, new Step(null, "instructions"), isName: false);
        return scan.Findings;
    }

    /// <summary>One scan's state: the findings so far and what is left of its budget.</summary>
    private sealed class ScanRun(ScanContext context, string? ownName)
    {
        private readonly List<ScanFinding> _findings = [];
        private readonly HashSet<(string Kind, Step Path)> _reported = [];
        private readonly ShadowingNames _names = new(context, ownName);
        private int _nodes;
        private int _chars;
        private bool _exhausted;

        public IReadOnlyList<ScanFinding> Findings => _findings;

        public void Tree(JsonElement element, Step path, int depth)
        {
            if (_exhausted)
            {
                return;
            }

            if (depth > MaxDepth || ++_nodes > MaxNodes)
            {
                Exhausted(path, depth > MaxDepth
                    ? $"the definition nests deeper than {MaxDepth} levels here; what lies below was not scanned"
                    : $"the definition has more than {MaxNodes} values; the rest was not scanned");
                return;
            }

            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var member in element.EnumerateObject())
                    {
                        // Once a limit is reached the rest is not visited at all: a scan's work stays linear.
                        if (_exhausted)
                        {
                            break;
                        }

                        var memberPath = new Step(path, member.Name);
                        Text(member.Name, memberPath, isName: true);
                        Tree(member.Value, memberPath, depth + 1);
                    }

                    break;
                case JsonValueKind.Array:
                    var index = 0;
                    foreach (var item in element.EnumerateArray())
                    {
                        if (_exhausted)
                        {
                            break;
                        }

                        Tree(item, new Step(path, index), depth + 1);
                        index++;
                    }

                    break;
                case JsonValueKind.String:
                    String(element, path, isName: false);
                    break;
            }
        }

        public void String(JsonElement element, Step path, bool isName)
        {
            string text;
            try
            {
                text = element.GetString() ?? string.Empty;
            }
            catch (InvalidOperationException)
            {
                Report(ScanKinds.Unscannable, path, string.Empty, "the string is not valid Unicode and could not be read");
                return;
            }

            Text(text, path, isName);
        }

        public void Text(string text, Step path, bool isName)
        {
            if (_exhausted)
            {
                return;
            }

            if (text.Length > MaxStringChars)
            {
                Report(ScanKinds.Unscannable, path, Excerpts.Around(text, MaxStringChars, 0), $"the string is {text.Length} characters long; only the first {MaxStringChars} were scanned");
                text = text[..MaxStringChars];
            }

            _chars += text.Length;
            if (_chars > MaxTotalChars)
            {
                Exhausted(path, $"the definition's strings add up to more than {MaxTotalChars} characters; the rest was not scanned");
                return;
            }

            Hidden(text, path);
            var readable = HiddenCharacters.ForMatching(text, isName);
            Phrases(readable, path, isName ? "the name" : null);
            if (!isName)
            {
                Mentions(readable, path);
            }
        }

        private void Hidden(string text, Step path)
        {
            var report = HiddenCharacters.Inspect(text);
            if (report.CodePoints.Count == 0)
            {
                return;
            }

            var first = report.CodePoints[0];
            var described = string.Join(", ", report.CodePoints
                .GroupBy(point => point.Class)
                .Select(group => $"{group.Count()} {Describe(group.Key)} ({string.Join(" ", group.Select(point => $"U+{point.Value:X4}").Distinct().Take(4))}{(group.Select(point => point.Value).Distinct().Count() > 4 ? " …" : string.Empty)})"));
            var message = $"invisible code points the user cannot see: {described}";
            if (report.TagText.Length > 0)
            {
                message += $"; the tag characters spell \"{Excerpts.Escape(Shorten(report.TagText))}\"";
            }

            Report(ScanKinds.HiddenUnicode, path, Excerpts.Around(text, first.Index, 1), message);

            // Tag characters are ASCII in disguise: what they spell is read by the phrase rules too.
            if (report.TagText.Length > 0)
            {
                Phrases(HiddenCharacters.ForMatching(report.TagText, isName: false), path, "text hidden in tag characters");
            }
        }

        private void Phrases(string readable, Step path, string? where)
        {
            foreach (var rule in TextRules.All)
            {
                if (_reported.Contains((rule.Kind, path)))
                {
                    continue;
                }

                var match = rule.Pattern.Match(readable);
                if (match.Success)
                {
                    Report(rule.Kind, path, Excerpts.Around(readable, match.Index, match.Length), where is null ? rule.Meaning : $"{rule.Meaning} (in {where})");
                }
            }
        }

        private void Mentions(string readable, Step path)
        {
            if (_reported.Contains((ScanKinds.Shadowing, path)) || _names.Find(readable) is not { } mention)
            {
                return;
            }

            Report(ScanKinds.Shadowing, path, Excerpts.Around(readable, mention.Index, mention.Name.Length), $"mentions \"{Excerpts.Escape(mention.Name)}\", a tool of server \"{Excerpts.Escape(mention.Server)}\"");
        }

        private void Exhausted(Step path, string message)
        {
            _exhausted = true;
            Report(ScanKinds.Unscannable, path, string.Empty, message);
        }

        private void Report(string kind, Step path, string excerpt, string message)
        {
            if (_findings.Count >= MaxFindings)
            {
                if (!_exhausted)
                {
                    _exhausted = true;
                    _findings.Add(new ScanFinding(ScanKinds.Unscannable, path.Write(), string.Empty, $"the definition has more than {MaxFindings} findings; the rest was not scanned"));
                }

                return;
            }

            if (_reported.Add((kind, path)))
            {
                _findings.Add(new ScanFinding(kind, path.Write(), excerpt, message));
            }
        }
    }

    /// <summary>
    /// One step of a path into the definition, linked to its parent: nothing is written out until a finding
    /// needs it, so a definition nested under long member names costs no more than its size to scan.
    /// </summary>
    private sealed class Step
    {
        private readonly Step? _parent;
        private readonly string? _name;
        private readonly int _index;

        public Step(Step? parent, string name) => (_parent, _name) = (parent, name);

        public Step(Step? parent, int index) => (_parent, _index) = (parent, index);

        /// <summary>The RFC 6901 pointer; one longer than <see cref="MaxPathChars"/> has its long names cut and its middle left out.</summary>
        public string Write()
        {
            var steps = new List<Step>();
            var length = 0;
            for (var step = this; step is not null; step = step._parent)
            {
                steps.Add(step);
                length += 1 + (step._name?.Length ?? 10);
            }

            steps.Reverse();
            var cut = length > MaxPathChars;
            var builder = new StringBuilder();
            foreach (var step in steps)
            {
                builder.Append('/');
                if (step._name is not { } name)
                {
                    builder.Append(step._index.ToString(CultureInfo.InvariantCulture));
                }
                else if (cut && name.Length > MaxSegmentChars)
                {
                    builder.Append(Escape(name[..MaxSegmentChars])).Append('…');
                }
                else
                {
                    builder.Append(Escape(name));
                }
            }

            var path = builder.ToString();
            return path.Length <= MaxPathChars ? path : path[..(MaxPathChars / 2)] + "…" + path[^(MaxPathChars / 2 - 1)..];
        }
    }

    private static string Describe(HiddenClass kind) => kind switch
    {
        HiddenClass.ZeroWidth => "zero-width",
        HiddenClass.Bidi => "bidi control",
        HiddenClass.Tag => "tag character",
        HiddenClass.Control => "control character",
        HiddenClass.Format => "format character",
        HiddenClass.PrivateUse => "private-use",
        HiddenClass.Unassigned => "unassigned",
        HiddenClass.UnpairedSurrogate => "unpaired surrogate",
        HiddenClass.VariationSelector => "variation selector",
        HiddenClass.Filler => "invisible filler",
        _ => "hidden",
    };

    private static string Shorten(string text) => text.Length <= Excerpts.Window ? text : text[..Excerpts.Window] + "…";

    /// <summary>A JSON Pointer reference token (RFC 6901).</summary>
    private static string Escape(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
