using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using McpWarden.Catalog.Classification;
using McpWarden.Catalog.Definitions;
using McpWarden.Policy.Naming;
using McpWarden.Policy.Parsing;

namespace McpWarden.Catalog.Recommendation;

/// <summary>Writes the policy a careful engineer would start from for a server's live tools (POLICY.md's seed format).</summary>
/// <remarks>
/// <c>"default": "deny"</c>, then one exact rule per tool, by category (see <see cref="RuleShapes"/>): reads,
/// writes and executions allowed under a per-grant rate; communication, destructive and financial tools
/// held for a person's approval under a count limit, financial ones also under a daily spend cap on their
/// amount argument; credentials tools denied. Every rule carries the classifier's rationale as its
/// <c>reason</c>, so a refusal explains itself. A tool whose name cannot be an exact key (it contains
/// <c>*</c>, which a key reads as a pattern; it is not NFC; it has invisible characters; it is too long; or
/// it repeats an earlier name) gets no rule and stays under the default deny; <see cref="RecommendDetailed"/>
/// says which and why. Same input, same bytes.
/// </remarks>
public static class PolicyRecommender
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        IndentSize = 2,
        NewLine = "\n",
        // Readable names and reasons in the file; quotes, backslashes and controls are still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonSerializerOptions QuoteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Recommend(ServerContext server, IReadOnlyList<ClassifiedTool> tools) => RecommendDetailed(server, tools).Json;

    /// <summary>The policy, with <paramref name="schema"/> as its <c>$schema</c> when given (editors fetch it for completion; the engine ignores it), and the tools left to the default.</summary>
    public static PolicyRecommendation RecommendDetailed(ServerContext server, IReadOnlyList<ClassifiedTool> tools, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(tools);

        var (keyed, leftOut) = Keys(tools);
        var counters = new CounterNames();
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            if (!string.IsNullOrWhiteSpace(schema))
            {
                writer.WriteString("$schema", schema);
            }

            writer.WriteString("version", "1");
            writer.WriteString("default", "deny");
            writer.WriteStartObject("tools");
            foreach (var (name, tool) in keyed)
            {
                writer.WritePropertyName(name);
                WriteRule(writer, name, tool, counters);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return new PolicyRecommendation(Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n", leftOut);
    }

    /// <summary>The tools that can have an exact key, sorted by name, and the others with why not.</summary>
    private static (List<(string Name, ClassifiedTool Tool)> Keyed, List<LeftToDefault> LeftOut) Keys(IReadOnlyList<ClassifiedTool> tools)
    {
        var keyed = new List<(string, ClassifiedTool)>();
        var leftOut = new List<LeftToDefault>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tool in tools.Where(t => t?.Tool is not null && t.Classification is not null).OrderBy(t => t.Tool.Name, StringComparer.Ordinal))
        {
            var name = tool.Tool.Name;
            var problem = name.Contains('*', StringComparison.Ordinal) ? "its name contains '*', which a policy key reads as a pattern matching other names too"
                : name.Length > PolicyParser.MaxToolKeyLength ? $"its name is longer than {PolicyParser.MaxToolKeyLength} characters"
                : ToolNames.VisibilityProblem(name) is { } invisible ? $"its name cannot be a policy key: {invisible}"
                : !name.IsNormalized(NormalizationForm.FormC) ? "its name is not in Unicode normalisation form C (the gateway refuses calls to it anyway)"
                : !seen.Add(name) ? "the server lists this name more than once; only the first has a rule"
                : null;
            if (problem is null)
            {
                keyed.Add((name, tool));
            }
            else
            {
                leftOut.Add(new LeftToDefault(name, problem));
            }
        }

        return (keyed, leftOut);
    }

    private static void WriteRule(Utf8JsonWriter writer, string name, ClassifiedTool tool, CounterNames counters)
    {
        var category = tool.Classification.Category;
        writer.WriteStartObject();
        switch (category)
        {
            case ToolCategory.Read:
            case ToolCategory.Write:
            case ToolCategory.Execute:
                writer.WriteString("reason", Reason(tool));
                Limits(writer, Limit(counters.For(name, "rate"), "minute", category switch
                {
                    ToolCategory.Read => RuleShapes.ReadPerMinute,
                    ToolCategory.Write => RuleShapes.WritePerMinute,
                    _ => RuleShapes.ExecutePerMinute,
                }));
                break;
            case ToolCategory.Communication:
            case ToolCategory.Destructive:
                writer.WriteString("action", "approve");
                writer.WriteString("reason", Reason(tool));
                Limits(writer, Limit(counters.For(name, "rate"), "hour", category == ToolCategory.Communication ? RuleShapes.CommunicationPerHour : RuleShapes.DestructivePerHour));
                break;
            case ToolCategory.Financial:
                writer.WriteString("action", "approve");
                writer.WriteString("reason", Reason(tool));
                var count = Limit(counters.For(name, "rate"), "day", RuleShapes.FinancialPerDay);
                if (AmountArgument.In(tool.Tool.InputSchema) is { } amount)
                {
                    Limits(writer, count, Limit(counters.For(name, "spend"), "day", SpendCap(amount), amount.Reference));
                }
                else
                {
                    Limits(writer, count);
                }

                break;
            default:
                // Credentials, and any category this version does not know: refused, with the reason.
                writer.WriteString("action", "deny");
                writer.WriteString("reason", Reason(tool));
                break;
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// The <c>limits</c> array with one limit per line, the way the seed examples write them. Written raw
    /// because the writer would spread each limit over six lines; the indentation is that of a rule's member.
    /// </summary>
    private static void Limits(Utf8JsonWriter writer, params string[] limits)
    {
        const string Item = "\n        ";
        writer.WritePropertyName("limits");
        writer.WriteRawValue("[" + Item + string.Join("," + Item, limits) + "\n      ]");
    }

    /// <summary>One limit: <c>{ "counter": "x_rate", "window": "minute", "max": 10, "scope": "grant" }</c>.</summary>
    private static string Limit(string counter, string window, decimal max, string? cost = null)
    {
        var line = new StringBuilder("{ ");
        line.Append("\"counter\": ").Append(Quote(counter));
        line.Append(", \"window\": ").Append(Quote(window));
        line.Append(", \"max\": ").Append(max.ToString(CultureInfo.InvariantCulture));
        line.Append(", \"scope\": \"grant\"");
        if (cost is not null)
        {
            line.Append(", \"cost\": ").Append(Quote(cost));
        }

        return line.Append(" }").ToString();
    }

    private static string Quote(string text) => JsonSerializer.Serialize(text, QuoteOptions);

    private static decimal SpendCap(AmountArgument amount)
    {
        var cap = amount.Maximum is { } maximum && maximum > 0 ? Math.Min(maximum, RuleShapes.DefaultSpendPerDay) : RuleShapes.DefaultSpendPerDay;
        if (amount.Minimum is { } minimum && minimum > cap)
        {
            cap = minimum;
        }

        return cap;
    }

    /// <summary>
    /// "category, risk risk: rationale", with invisible and control characters dropped (the rationale quotes
    /// the server's own words, and a reason is shown to people and agents) and shortened to a readable length.
    /// </summary>
    internal static string Reason(ClassifiedTool tool)
    {
        var category = Enum.IsDefined(tool.Classification.Category) ? CatalogNames.Of(tool.Classification.Category) : "unknown category";
        var risk = Enum.IsDefined(tool.Classification.Risk) ? CatalogNames.Of(tool.Classification.Risk) : "unknown";
        var head = $"{category}, {risk} risk";
        var rationale = Visible(tool.Classification.Rationale ?? string.Empty);
        var text = rationale.Length == 0 ? head : $"{head}: {rationale}";
        return text.Length <= RuleShapes.MaxReasonLength ? text : text[..AlignedCut(text, RuleShapes.MaxReasonLength - 1)] + "…";
    }

    private static string Visible(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune))
            {
                space = builder.Length > 0;
                continue;
            }

            // Zero-width and bidi characters are dropped, not spaced: "Gen\u200Berate" reads "Generate".
            if (ToolNames.IsInvisible(rune))
            {
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(rune.ToString());
        }

        return builder.ToString();
    }

    private static int AlignedCut(string text, int index) => char.IsLowSurrogate(text[index]) ? index - 1 : index;

    /// <summary>Counter names after their tools: letters, digits, '_', '-' and '.' kept, the rest '_', made unique.</summary>
    private sealed class CounterNames
    {
        private readonly HashSet<string> _used = new(StringComparer.Ordinal);

        public string For(string tool, string suffix)
        {
            var builder = new StringBuilder(tool.Length);
            foreach (var c in tool)
            {
                builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_');
            }

            var stem = builder.ToString().Trim('_');
            if (stem.Length == 0)
            {
                stem = "tool";
            }

            var name = $"{stem}_{suffix}";
            for (var n = 2; !_used.Add(name); n++)
            {
                name = $"{stem}_{suffix}_{n}";
            }

            return name;
        }
    }
}
