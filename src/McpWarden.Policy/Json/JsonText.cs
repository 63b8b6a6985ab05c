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
        var builder = new StringBuilder(Math.Min(text.Length, MaxQuotedLength) + 2);
        builder.Append('"');
        foreach (var c in text.Length <= MaxQuotedLength ? text : text[..MaxQuotedLength])
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\').Append(c);
            }
            else if (char.IsControl(c) || char.IsSurrogate(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.SpaceSeparator && c != ' ')
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        builder.Append('"');
        return text.Length <= MaxQuotedLength ? builder.ToString() : builder.Append('…').ToString();
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
