using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace McpWarden.Policy.Schema;

/// <summary>Reads JSON strings straight from their UTF-8 bytes so that the success path allocates nothing.</summary>
internal static class Utf8Text
{
    private const int StackCharLimit = 256;

    /// <summary>Counts Unicode code points of a string value; a lone surrogate escape counts as one, like a replacement character.</summary>
    public static long CountCodePoints(JsonElement text)
    {
        var raw = Content(JsonMarshal.GetRawUtf8Value(text));
        long count = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var b = raw[i];
            if (b != (byte)'\\')
            {
                // Continuation bytes (10xxxxxx) belong to the code point already counted.
                if ((b & 0xC0) != 0x80)
                {
                    count++;
                }

                continue;
            }

            count++;
            if (raw[i + 1] != (byte)'u')
            {
                i++;
                continue;
            }

            var unit = ParseHex4(raw.Slice(i + 2, 4));
            i += 5;

            // A high surrogate escape followed by a low surrogate escape is one code point, not two.
            if (char.IsHighSurrogate((char)unit) && i + 6 < raw.Length && raw[i + 1] == (byte)'\\' && raw[i + 2] == (byte)'u'
                && char.IsLowSurrogate((char)ParseHex4(raw.Slice(i + 3, 4))))
            {
                i += 6;
            }
        }

        return count;
    }

    /// <summary>Matches a string value against a pattern; a string that cannot be decoded (lone surrogate) is undecided.</summary>
    public static PatternOutcome Match(PatternMatcher matcher, JsonElement text)
    {
        var raw = Content(JsonMarshal.GetRawUtf8Value(text));
        if (raw.IndexOf((byte)'\\') >= 0)
        {
            string? decoded;
            try
            {
                decoded = text.GetString();
            }
            catch (InvalidOperationException)
            {
                return PatternOutcome.NotUtf16;
            }

            return matcher.Match(decoded);
        }

        return Match(matcher, raw);
    }

    /// <summary>Matches a property name against a pattern.</summary>
    public static PatternOutcome Match(PatternMatcher matcher, JsonProperty property)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        if (raw.IndexOf((byte)'\\') < 0)
        {
            return Match(matcher, raw);
        }

        string name;
        try
        {
            name = property.Name;
        }
        catch (InvalidOperationException)
        {
            return PatternOutcome.NotUtf16;
        }

        return matcher.Match(name);
    }

    private static PatternOutcome Match(PatternMatcher matcher, ReadOnlySpan<byte> utf8)
    {
        // A UTF-8 sequence never decodes to more UTF-16 units than it has bytes.
        char[]? rented = null;
        var buffer = utf8.Length <= StackCharLimit
            ? stackalloc char[StackCharLimit]
            : (rented = ArrayPool<char>.Shared.Rent(utf8.Length));
        try
        {
            var length = Encoding.UTF8.GetChars(utf8, buffer);
            return matcher.Match(buffer[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private static ReadOnlySpan<byte> Content(ReadOnlySpan<byte> raw) =>
        raw.Length >= 2 && raw[0] == (byte)'"' ? raw[1..^1] : raw;

    private static int ParseHex4(ReadOnlySpan<byte> hex)
    {
        var value = 0;
        foreach (var b in hex)
        {
            value = (value << 4) | (b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                _ => b - 'A' + 10,
            });
        }

        return value;
    }
}
