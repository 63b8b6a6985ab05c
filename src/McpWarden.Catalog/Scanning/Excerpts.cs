using System.Globalization;
using System.Text;

namespace McpWarden.Catalog.Scanning;

/// <summary>
/// Quotes a piece of a scanned string so that it is safe to print in a terminal, a log or a web page:
/// every invisible or control code point becomes <c>\u{XXXX}</c>, and the quote is cut to a window around
/// what was found, with an ellipsis where it was cut.
/// </summary>
internal static class Excerpts
{
    /// <summary>At most this many characters of the original text are quoted.</summary>
    public const int Window = 120;

    public static string Around(string text, int index, int length)
    {
        index = Math.Clamp(index, 0, text.Length);
        length = Math.Clamp(length, 0, text.Length - index);
        var context = Math.Max(0, (Window - length) / 2);
        var start = Math.Max(0, index - context);
        var end = Math.Min(text.Length, Math.Max(index + Math.Min(length, Window), start + Window));
        start = AlignStart(text, start);
        end = AlignEnd(text, end);

        var builder = new StringBuilder();
        if (start > 0)
        {
            builder.Append('…');
        }

        Escape(text.AsSpan(start, end - start), builder);
        if (end < text.Length)
        {
            builder.Append('…');
        }

        return builder.ToString();
    }

    public static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length);
        Escape(text, builder);
        return builder.ToString();
    }

    private static void Escape(ReadOnlySpan<char> text, StringBuilder builder)
    {
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text[i..], out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{{{(int)text[i]:X4}}}");
                i++;
                continue;
            }

            if (HiddenCharacters.IsInvisible(rune))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{{{rune.Value:X4}}}");
            }
            else
            {
                builder.Append(text.Slice(i, consumed));
            }

            i += consumed;
        }
    }

    // Never cut a surrogate pair in half.
    private static int AlignStart(string text, int index) =>
        index > 0 && index < text.Length && char.IsLowSurrogate(text[index]) && char.IsHighSurrogate(text[index - 1]) ? index - 1 : index;

    private static int AlignEnd(string text, int index) =>
        index > 0 && index < text.Length && char.IsLowSurrogate(text[index]) && char.IsHighSurrogate(text[index - 1]) ? index + 1 : index;
}
