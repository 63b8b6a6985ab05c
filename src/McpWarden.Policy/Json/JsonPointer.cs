using System.Text.Json;

namespace McpWarden.Policy.Json;

/// <summary>RFC 6901 JSON Pointers: building them segment by segment and resolving them in a document.</summary>
public static class JsonPointer
{
    /// <summary>Appends one property name to a pointer, escaping <c>~</c> and <c>/</c>.</summary>
    public static string Append(string path, string segment) => string.Concat(path, "/", Escape(segment));

    /// <summary>Escapes one segment: <c>~</c> as <c>~0</c>, <c>/</c> as <c>~1</c>.</summary>
    public static string Escape(string segment) =>
        segment.AsSpan().IndexOfAny('~', '/') < 0
            ? segment
            : segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    public static string Append(string path, int index) => string.Concat(path, "/", index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Splits a pointer into unescaped segments; returns false when it is not a valid pointer.</summary>
    public static bool TryParse(string path, out string[] segments)
    {
        segments = [];
        if (path.Length == 0)
        {
            return true;
        }

        if (path[0] != '/')
        {
            return false;
        }

        var parts = path[1..].Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            for (var c = 0; c < part.Length; c++)
            {
                // A '~' must be followed by 0 or 1; anything else is not a pointer.
                if (part[c] == '~' && (c + 1 >= part.Length || (part[c + 1] != '0' && part[c + 1] != '1')))
                {
                    return false;
                }
            }

            parts[i] = part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
        }

        segments = parts;
        return true;
    }

    /// <summary>Follows already-parsed segments from <paramref name="root"/>; false when any step is missing.</summary>
    public static bool TryResolve(JsonElement root, IReadOnlyList<string> segments, out JsonElement value)
    {
        value = root;
        foreach (var segment in segments)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Object when value.TryGetProperty(segment, out var child):
                    value = child;
                    break;
                case JsonValueKind.Array when TryParseIndex(segment, out var index) && index < value.GetArrayLength():
                    value = value[index];
                    break;
                default:
                    value = default;
                    return false;
            }
        }

        return true;
    }

    private static bool TryParseIndex(string segment, out int index)
    {
        index = -1;
        // RFC 6901: no leading zeros, digits only.
        if (segment.Length == 0 || (segment.Length > 1 && segment[0] == '0'))
        {
            return false;
        }

        foreach (var c in segment)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return int.TryParse(segment, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index);
    }

    /// <summary>The longest pointer a message shows whole: keys can be as long as the sender likes.</summary>
    private const int MaxDisplayLength = 200;

    /// <summary>
    /// Renders a pointer for messages; the root is shown as <c>/</c>. Its keys are the sender's, so hidden
    /// characters are escaped (a message is logged and printed one per line) and a long one is shortened.
    /// </summary>
    public static string Display(string path)
    {
        var shown = path.Length == 0 ? "/" : JsonText.Escape(path);
        return shown.Length <= MaxDisplayLength ? shown : shown[..MaxDisplayLength] + "…";
    }
}
