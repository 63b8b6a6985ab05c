using System.Text.Json;

namespace McpWarden.Policy.Schema;

/// <summary>Short descriptions of JSON values for diagnostics and error messages.</summary>
internal static class JsonText
{
    private const int MaxQuotedLength = 64;

    /// <summary>Describes a value with its type, e.g. <c>string "x"</c>, <c>number 5</c>, <c>object</c>.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "string " + Quote(value),
        JsonValueKind.Number => "number " + Quote(value),
        JsonValueKind.True => "boolean true",
        JsonValueKind.False => "boolean false",
        JsonValueKind.Null => "null",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        _ => "nothing",
    };

    /// <summary>The value as JSON text, shortened if long.</summary>
    public static string Quote(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return Shorten(value.GetRawText());
        }

        try
        {
            return Shorten(JsonSerializer.Serialize(value.GetString() ?? string.Empty));
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape cannot become a .NET string; the raw JSON text still shows what was sent.
            return Shorten(value.GetRawText());
        }
    }

    public static string Quote(string text) => Shorten(JsonSerializer.Serialize(text));

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
