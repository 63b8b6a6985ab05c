using System.Globalization;
using System.Text;

namespace McpWarden.Fuzzing.Tests.Generators;

/// <summary>Shows generated text in a failure message: control, invisible and non-ASCII characters escaped, long text shortened.</summary>
internal static class Printable
{
    public static string Of(string text, int limit)
    {
        var shown = new StringBuilder("\"");
        foreach (var c in text.Length > limit ? text[..limit] : text)
        {
            _ = c is >= ' ' and < (char)0x7f and not '"' and not '\\'
                ? shown.Append(c)
                : shown.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
        }

        return shown.Append(text.Length > limit ? $"\"… ({text.Length} chars)" : "\"").ToString();
    }

    /// <summary>Bytes as text where they are printable ASCII, \xNN elsewhere; shortened past <paramref name="limit"/>.</summary>
    public static string Of(ReadOnlySpan<byte> bytes, int limit)
    {
        var shown = new StringBuilder();
        foreach (var b in bytes.Length > limit ? bytes[..limit] : bytes)
        {
            _ = b is >= 0x20 and < 0x7f and not (byte)'\\'
                ? shown.Append((char)b)
                : shown.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }

        return bytes.Length > limit ? $"{shown}… ({bytes.Length} bytes)" : shown.ToString();
    }
}
