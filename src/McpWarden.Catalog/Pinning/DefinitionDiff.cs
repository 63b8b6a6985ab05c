using System.Text.Json;
using McpWarden.Policy.Json;

namespace McpWarden.Catalog.Pinning;

/// <summary>
/// What changed between a pinned definition and the one a server lists now, place by place, for the person who
/// must decide whether to accept it. Objects are compared member by member; arrays of the same length element
/// by element, others as a whole (an added <c>required</c> entry shows as the array before and after).
/// Values are shown as <see cref="JsonText"/> shows any user's JSON: escaped (hidden characters are exactly
/// what a reviewer must see) and shortened, a long changed text around where it starts to differ.
/// </summary>
public sealed class DefinitionDiff
{
    /// <summary>At most this many changes are described; the rest are counted.</summary>
    public const int MaxDescribed = 20;

    /// <summary>
    /// A change's <see cref="DefinitionChange.Path"/> is cut to this many characters (its start and its end kept,
    /// <c>…</c> between): a definition nested under long member names must not make every change as long as the
    /// whole definition.
    /// </summary>
    public const int MaxPathChars = 256;

    /// <summary>One member name or index of a shown path is cut to this many characters.</summary>
    private const int MaxSegmentChars = 64;

    private const int MaxShown = 64;
    private const int ContextBefore = 16;

    private DefinitionDiff(IReadOnlyList<DefinitionChange> changes, int count) => (Changes, Count) = (changes, count);

    /// <summary>The first <see cref="MaxDescribed"/> changes in document order (object members by ordinal name).</summary>
    public IReadOnlyList<DefinitionChange> Changes { get; }

    /// <summary>How many changes there are in all, <see cref="Changes"/> and those only counted.</summary>
    public int Count { get; }

    /// <summary>The changes counted but not kept in <see cref="Changes"/>.</summary>
    public int Omitted => Count - Changes.Count;

    public bool IsEmpty => Count == 0;

    /// <summary>Compares two definitions as JSON text (the pinned <see cref="PinnedDefinition.Definition"/>s).</summary>
    public static DefinitionDiff Between(string before, string after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        using var beforeDocument = JsonDocument.Parse(before);
        using var afterDocument = JsonDocument.Parse(after);
        return Between(beforeDocument.RootElement, afterDocument.RootElement);
    }

    public static DefinitionDiff Between(PinnedDefinition before, PinnedDefinition after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return Between(before.Definition, after.Definition);
    }

    /// <summary>
    /// Compares two definitions. The work is linear in their size whatever they hold: paths are built only for
    /// the changes kept, each at most <see cref="MaxPathChars"/> long, and the changes past
    /// <see cref="MaxDescribed"/> are counted, never shown.
    /// </summary>
    public static DefinitionDiff Between(JsonElement before, JsonElement after)
    {
        var collector = new Collector();
        Compare(null, before, after, collector);
        return new DefinitionDiff(collector.Kept, collector.Count);
    }

    /// <summary>Every change on one line, separated by <c>; </c> (for the audit message and logs).</summary>
    public string Describe() => IsEmpty ? "no change" : string.Join("; ", Described());

    /// <summary>Every change on a line of its own, each prefixed by <paramref name="indent"/> (for the CLI).</summary>
    public string DescribeLines(string indent = "  ") =>
        IsEmpty ? indent + "no change" : string.Join(Environment.NewLine, Described().Select(line => indent + line));

    private IEnumerable<string> Described()
    {
        foreach (var change in Changes)
        {
            yield return change.Describe();
        }

        if (Omitted > 0)
        {
            yield return $"… and {Omitted} more changes";
        }
    }

    private static void Compare(Segment? at, JsonElement before, JsonElement after, Collector changes)
    {
        if (before.ValueKind == JsonValueKind.Object && after.ValueKind == JsonValueKind.Object)
        {
            var beforeMembers = Members(before);
            var afterMembers = Members(after);
            foreach (var name in beforeMembers.Keys.Union(afterMembers.Keys).Order(StringComparer.Ordinal))
            {
                var member = new Segment(at, name, 0);
                var inBefore = beforeMembers.TryGetValue(name, out var was);
                var inAfter = afterMembers.TryGetValue(name, out var now);
                if (!inBefore)
                {
                    changes.Add(member, DefinitionChangeKind.Added, default, now);
                }
                else if (!inAfter)
                {
                    changes.Add(member, DefinitionChangeKind.Removed, was, default);
                }
                else
                {
                    Compare(member, was, now, changes);
                }
            }

            return;
        }

        if (before.ValueKind == JsonValueKind.Array && after.ValueKind == JsonValueKind.Array && before.GetArrayLength() == after.GetArrayLength())
        {
            var index = 0;
            foreach (var (was, now) in before.EnumerateArray().Zip(after.EnumerateArray()))
            {
                Compare(new Segment(at, null, index++), was, now, changes);
            }

            return;
        }

        if (!Same(before, after))
        {
            changes.Add(at, DefinitionChangeKind.Changed, before, after);
        }
    }

    /// <summary>Whether two values (not both objects, not same-length arrays) are the same JSON.</summary>
    private static bool Same(JsonElement before, JsonElement after) =>
        before.ValueKind == after.ValueKind && (before.ValueKind is JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null
            || string.Equals(CanonicalJson.ToText(before), CanonicalJson.ToText(after), StringComparison.Ordinal));

    /// <summary>One step of a path, linked to its parent: a path costs nothing until a kept change needs it written.</summary>
    private sealed record Segment(Segment? Parent, string? Name, int Index)
    {
        /// <summary>The path as a JSON Pointer, each step escaped for reading and cut, the whole cut to <see cref="MaxPathChars"/>.</summary>
        public static string Write(Segment? last)
        {
            if (last is null)
            {
                return "/";
            }

            var steps = new List<string>();
            for (var step = last; step is not null; step = step.Parent)
            {
                steps.Add(step.Name is { } name ? Shown(name) : step.Index.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            steps.Reverse();
            var path = "/" + string.Join('/', steps);
            return path.Length <= MaxPathChars ? path : path[..(MaxPathChars / 2)] + "…" + path[^(MaxPathChars / 2 - 1)..];
        }

        private static string Shown(string name)
        {
            var cut = name.Length > MaxSegmentChars ? name[..MaxSegmentChars] : name;
            return JsonText.Escape(JsonPointer.Escape(cut)) + (cut.Length < name.Length ? "…" : string.Empty);
        }
    }

    /// <summary>Keeps the first <see cref="MaxDescribed"/> changes, written out, and counts every one.</summary>
    private sealed class Collector
    {
        public List<DefinitionChange> Kept { get; } = [];

        public int Count { get; private set; }

        public void Add(Segment? at, DefinitionChangeKind kind, JsonElement before, JsonElement after)
        {
            Count++;
            if (Kept.Count >= MaxDescribed)
            {
                return;
            }

            (string? Before, string? After) shown = kind switch
            {
                DefinitionChangeKind.Added => (null, Show(after)),
                DefinitionChangeKind.Removed => (Show(before), null),
                _ when before.ValueKind == JsonValueKind.String && after.ValueKind == JsonValueKind.String => ShowStrings(before.GetString()!, after.GetString()!),
                _ => (Show(before), Show(after)),
            };
            Kept.Add(new DefinitionChange(Segment.Write(at), kind, shown.Before, shown.After));
        }
    }

    /// <summary>Members by name; of a name given twice, the last (as most JSON parsers would read it).</summary>
    private static Dictionary<string, JsonElement> Members(JsonElement element)
    {
        var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            members[property.Name] = property.Value;
        }

        return members;
    }

    private static string Show(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? Quote(value.GetString()!, 0) : Shorten(JsonText.Escape(CanonicalJson.ToText(value)));

    /// <summary>
    /// Two texts that differ: when either is too long to show whole, both are shown from a little before where
    /// they start to differ, so an instruction appended to a long description is what the reader sees.
    /// </summary>
    private static (string Before, string After) ShowStrings(string before, string after)
    {
        if (before.Length <= MaxShown && after.Length <= MaxShown)
        {
            return (Quote(before, 0), Quote(after, 0));
        }

        var common = 0;
        while (common < before.Length && common < after.Length && before[common] == after[common])
        {
            common++;
        }

        var start = Math.Max(0, common - ContextBefore);
        if (start > 0 && char.IsLowSurrogate(before.Length > start ? before[start] : after[start]))
        {
            start--;
        }

        return (Quote(before, start), Quote(after, start));
    }

    private static string Quote(string text, int start)
    {
        var part = start < text.Length ? text[start..] : string.Empty;
        var shortened = part.Length > MaxShown;
        var shown = '"' + JsonText.Escape(shortened ? part[..MaxShown] : part, escapeQuotes: true) + '"';
        return (start > 0 ? "…" : string.Empty) + shown + (shortened ? "…" : string.Empty);
    }

    private static string Shorten(string text) => text.Length <= MaxShown ? text : text[..MaxShown] + "…";
}
