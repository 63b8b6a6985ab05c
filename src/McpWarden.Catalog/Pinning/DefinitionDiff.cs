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

    private const int MaxShown = 64;
    private const int ContextBefore = 16;

    private DefinitionDiff(IReadOnlyList<DefinitionChange> changes) => Changes = changes;

    /// <summary>The changes in document order (object members by ordinal name).</summary>
    public IReadOnlyList<DefinitionChange> Changes { get; }

    public bool IsEmpty => Changes.Count == 0;

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

    public static DefinitionDiff Between(JsonElement before, JsonElement after)
    {
        var changes = new List<DefinitionChange>();
        Compare(string.Empty, before, after, changes);
        return new DefinitionDiff(changes);
    }

    /// <summary>Every change on one line, separated by <c>; </c> (for the audit message and logs).</summary>
    public string Describe() => IsEmpty ? "no change" : string.Join("; ", Described());

    /// <summary>Every change on a line of its own, each prefixed by <paramref name="indent"/> (for the CLI).</summary>
    public string DescribeLines(string indent = "  ") =>
        IsEmpty ? indent + "no change" : string.Join(Environment.NewLine, Described().Select(line => indent + line));

    private IEnumerable<string> Described()
    {
        foreach (var change in Changes.Take(MaxDescribed))
        {
            yield return change.Describe();
        }

        if (Changes.Count > MaxDescribed)
        {
            yield return $"… and {Changes.Count - MaxDescribed} more changes";
        }
    }

    private static void Compare(string pointer, JsonElement before, JsonElement after, List<DefinitionChange> changes)
    {
        if (before.ValueKind == JsonValueKind.Object && after.ValueKind == JsonValueKind.Object)
        {
            var beforeMembers = Members(before);
            var afterMembers = Members(after);
            foreach (var name in beforeMembers.Keys.Union(afterMembers.Keys).Order(StringComparer.Ordinal))
            {
                var at = JsonPointer.Append(pointer, name);
                var inBefore = beforeMembers.TryGetValue(name, out var was);
                var inAfter = afterMembers.TryGetValue(name, out var now);
                if (!inBefore)
                {
                    changes.Add(new DefinitionChange(at, DefinitionChangeKind.Added, null, Show(now)));
                }
                else if (!inAfter)
                {
                    changes.Add(new DefinitionChange(at, DefinitionChangeKind.Removed, Show(was), null));
                }
                else
                {
                    Compare(at, was, now, changes);
                }
            }

            return;
        }

        if (before.ValueKind == JsonValueKind.Array && after.ValueKind == JsonValueKind.Array && before.GetArrayLength() == after.GetArrayLength())
        {
            var index = 0;
            foreach (var (was, now) in before.EnumerateArray().Zip(after.EnumerateArray()))
            {
                Compare(JsonPointer.Append(pointer, index++), was, now, changes);
            }

            return;
        }

        var beforeText = CanonicalJson.ToText(before);
        var afterText = CanonicalJson.ToText(after);
        if (string.Equals(beforeText, afterText, StringComparison.Ordinal))
        {
            return;
        }

        var (shownBefore, shownAfter) = before.ValueKind == JsonValueKind.String && after.ValueKind == JsonValueKind.String
            ? ShowStrings(before.GetString()!, after.GetString()!)
            : (Show(before), Show(after));
        changes.Add(new DefinitionChange(pointer.Length == 0 ? "/" : pointer, DefinitionChangeKind.Changed, shownBefore, shownAfter));
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
