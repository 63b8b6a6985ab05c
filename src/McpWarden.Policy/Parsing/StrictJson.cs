using System.Text.Json;
using McpWarden.Policy.Diagnostics;
using McpWarden.Policy.Json;

namespace McpWarden.Policy.Parsing;

/// <summary>
/// The pieces of strict reading shared by every file format of the project (policies, configuration,
/// policy tests): unknown fields with a suggestion, and values described the same way in every message.
/// </summary>
public static class StrictJson
{
    /// <summary>Reports every member of <paramref name="element"/> that the format does not define.</summary>
    public static void CheckFields(JsonElement element, string path, IReadOnlyList<string> known, DiagnosticSink sink)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                var suggestion = Suggest(property.Name, known);
                var hint = suggestion is null ? $"expected one of {string.Join(", ", known)}" : $"did you mean \"{suggestion}\"?";
                sink.ErrorAtName(DiagnosticCodes.UnknownField, JsonPointer.Append(path, property.Name), $"unknown field {JsonText.Quote(property.Name)}; {hint}");
            }
        }
    }

    /// <summary>The known name closest to a misspelling (edit distance at most 2, ignoring case), if any.</summary>
    public static string? Suggest(string name, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = 3;
        foreach (var candidate in known)
        {
            var distance = EditDistance(name, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>Levenshtein distance, case-insensitive; anything beyond 2 is reported as "far" without computing it.</summary>
    private static int EditDistance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 2)
        {
            return int.MaxValue;
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
