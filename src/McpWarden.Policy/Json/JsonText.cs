using System.Globalization;
using System.Text;
using System.Text.Json;

namespace McpWarden.Policy.Json;

/// <summary>
/// How every message of the project shows a user's JSON: quoted, shortened when long, with control and
/// invisible characters escaped (those are exactly what a reader must see) and other text left readable.
/// </summary>
public static class JsonText
{
    private const int MaxQuotedLength = 64;

    /// <summary>Describes a value with its type, e.g. <c>string "x"</c>, <c>number 5</c>, <c>boolean true</c>, <c>an object</c>.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "string " + Quote(value),
        JsonValueKind.Number => "number " + Quote(value),
        JsonValueKind.True => "boolean true",
        JsonValueKind.False => "boolean false",
        JsonValueKind.Null => "null",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => "nothing",
    };

    /// <summary>A value as readable JSON text: strings quoted, everything else as written; shortened when long.</summary>
    public static string Quote(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return Shorten(value.GetRawText());
        }

        try
        {
            return Quote(value.GetString()!);
        }
        catch (InvalidOperationException)
        {
            // An unpaired surrogate escape cannot become a .NET string; the raw JSON text still shows what was sent.
            return Shorten(value.GetRawText());
        }
    }

    /// <summary>Quotes text, escaping quotes, backslashes, control and invisible characters; shortened when long.</summary>
    public static string Quote(string text)
    {
        var shortened = text.Length > MaxQuotedLength;
        var quoted = '"' + Escape(shortened ? text[..MaxQuotedLength] : text, escapeQuotes: true) + '"';
        return shortened ? quoted + "…" : quoted;
    }

    /// <summary>
    /// Text with its control, format (zero-width, bidi) and unusual space characters written as <c>\uXXXX</c>,
    /// so that what a reader sees is what is there; quotes and backslashes too when it will be quoted.
    /// </summary>
    public static string Escape(string text, bool escapeQuotes = false)
    {
        StringBuilder? builder = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var quote = escapeQuotes && c is '"' or '\\';
            var hidden = char.IsControl(c) || char.IsSurrogate(c) || (char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.SpaceSeparator && c != ' ');
            if (!quote && !hidden)
            {
                builder?.Append(c);
                continue;
            }

            builder ??= new StringBuilder(text.Length + 8).Append(text, 0, i);
            if (quote)
            {
                builder.Append('\\').Append(c);
            }
            else
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
        }

        return builder?.ToString() ?? text;
    }

    public static string TypeName(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        _ => "nothing",
    };

    private static string Shorten(string text) => text.Length <= MaxQuotedLength ? text : text[..MaxQuotedLength] + "…";
}
