using System.Globalization;
using System.Text;

namespace McpWarden.Catalog.Scanning;

/// <summary>
/// Finds the code points a person reading a tool's description cannot see but a model reads: zero-width
/// characters, bidi controls, Unicode tag characters (which spell ASCII invisibly), other format, private-use
/// and unassigned code points, controls, and runs of variation selectors (which can smuggle bytes).
/// The few legitimate uses are let through: a byte order mark at the very start, a zero-width joiner between
/// two emoji, a single variation selector after a visible character, and the tag sequence of a subdivision
/// flag (U+1F3F4 followed by lower-case tag letters and U+E007F).
/// </summary>
internal static class HiddenCharacters
{
    private const int BlackFlag = 0x1F3F4;
    private const int CancelTag = 0xE007F;

    /// <summary>The hidden code points of <paramref name="text"/>, in order, and what their tag characters spell.</summary>
    public static HiddenReport Inspect(string text)
    {
        var found = new List<HiddenCodePoint>();
        var tags = new StringBuilder();
        var previous = -1;
        for (var i = 0; i < text.Length;)
        {
            if (!Rune.TryGetRuneAt(text, i, out var rune))
            {
                found.Add(new HiddenCodePoint(i, text[i], HiddenClass.UnpairedSurrogate));
                previous = -1;
                i++;
                continue;
            }

            var length = rune.Utf16SequenceLength;
            if (rune.Value == BlackFlag && IsFlagTagSequence(text, i + length) is var tagEnd and > 0)
            {
                previous = CancelTag;
                i = tagEnd;
                continue;
            }

            var kind = Classify(text, i, rune, previous);
            if (kind is { } hidden)
            {
                found.Add(new HiddenCodePoint(i, rune.Value, hidden));
                if (hidden == HiddenClass.Tag && rune.Value is >= 0xE0020 and < 0xE007F)
                {
                    tags.Append((char)(rune.Value - 0xE0000));
                }
            }

            previous = rune.Value;
            i += length;
        }

        return new HiddenReport(found, tags.ToString());
    }

    /// <summary>
    /// The text as the model effectively reads it, for the phrase rules: invisible code points removed (so
    /// that "ig&#x200B;nore" still reads "ignore"), controls turned into spaces, compatibility forms folded
    /// (NFKC: fullwidth and mathematical letters become ASCII), lower-cased, whitespace collapsed.
    /// Names also have their separators and camelCase humps turned into spaces.
    /// </summary>
    public static string ForMatching(string text, bool isName)
    {
        var builder = new StringBuilder(text.Length);
        var previous = -1;
        for (var i = 0; i < text.Length;)
        {
            if (!Rune.TryGetRuneAt(text, i, out var rune))
            {
                i++;
                continue;
            }

            i += rune.Utf16SequenceLength;
            var kind = Classify(text, i - rune.Utf16SequenceLength, rune, previous);
            if (kind is HiddenClass.Control)
            {
                builder.Append(' ');
            }
            else if (kind is null)
            {
                if (isName && (rune.Value is '_' or '-' or '.' || (Rune.IsUpper(rune) && previous >= 0 && Rune.IsLower(new Rune(previous)))))
                {
                    builder.Append(' ');
                }

                if (!(isName && rune.Value is '_' or '-' or '.'))
                {
                    builder.Append(rune.ToString());
                }
            }

            previous = rune.Value;
        }

        string folded;
        try
        {
            folded = builder.ToString().Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            folded = builder.ToString();
        }

        var lower = folded.ToLowerInvariant();
        var collapsed = new StringBuilder(lower.Length);
        var space = false;
        foreach (var c in lower)
        {
            if (char.IsWhiteSpace(c))
            {
                space = collapsed.Length > 0;
                continue;
            }

            if (space)
            {
                collapsed.Append(' ');
                space = false;
            }

            collapsed.Append(c);
        }

        return collapsed.ToString();
    }

    /// <summary>Whether the rune prints nothing a person would notice (used by the excerpts to escape it).</summary>
    public static bool IsInvisible(Rune rune) =>
        rune.Value is '\t' or '\n' or '\r' or 0x200D or (>= 0xFE00 and <= 0xFE0F)
        || Classify(string.Empty, 1, rune, 'a') is not null
        || (Rune.IsWhiteSpace(rune) && rune.Value != ' ');

    private static HiddenClass? Classify(string text, int index, Rune rune, int previous)
    {
        var value = rune.Value;
        switch (value)
        {
            case '\t' or '\n' or '\r':
                return null;
            case < 0x20 or (>= 0x7F and <= 0x9F):
                return HiddenClass.Control;
            case 0xFEFF:
                return index == 0 ? null : HiddenClass.ZeroWidth;
            case 0x200D:
                return IsEmoji(previous) && IsEmoji(NextRune(text, index + 1)) ? null : HiddenClass.ZeroWidth;
            case 0x200E or 0x200F or 0x061C or (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069):
                return HiddenClass.Bidi;
            case (>= 0x200B and <= 0x200C) or (>= 0x2060 and <= 0x2064):
                return HiddenClass.ZeroWidth;
            case >= 0xE0000 and <= 0xE007F:
                return HiddenClass.Tag;
            case (>= 0xFE00 and <= 0xFE0F):
                // One selector after a visible character picks emoji or text style; a second in a row carries data.
                return previous is >= 0xFE00 and <= 0xFE0F || previous < 0 ? HiddenClass.VariationSelector : null;
            case >= 0xE0100 and <= 0xE01EF:
                return HiddenClass.VariationSelector;
            case 0x034F or 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x17B4 or 0x17B5:
                return HiddenClass.Filler;
        }

        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Format => HiddenClass.Format,
            UnicodeCategory.PrivateUse => HiddenClass.PrivateUse,
            UnicodeCategory.OtherNotAssigned => HiddenClass.Unassigned,
            UnicodeCategory.Surrogate => HiddenClass.UnpairedSurrogate,
            _ => null,
        };
    }

    private static int NextRune(string text, int index) =>
        index < text.Length && Rune.TryGetRuneAt(text, index, out var next) ? next.Value : -1;

    private static bool IsEmoji(int value) =>
        value is >= 0x1F000 and <= 0x1FAFF || value is >= 0x2600 and <= 0x27BF || value is 0xFE0F || value is >= 0x1F3FB and <= 0x1F3FF;

    /// <summary>The end of a subdivision flag's tags (lower-case letters or digits, then CANCEL TAG), or 0.</summary>
    private static int IsFlagTagSequence(string text, int start)
    {
        var i = start;
        var letters = 0;
        while (i + 1 < text.Length && Rune.TryGetRuneAt(text, i, out var rune))
        {
            if (rune.Value == CancelTag)
            {
                return letters is >= 2 and <= 7 ? i + 2 : 0;
            }

            if (rune.Value is not ((>= 0xE0061 and <= 0xE007A) or (>= 0xE0030 and <= 0xE0039)))
            {
                return 0;
            }

            letters++;
            i += 2;
        }

        return 0;
    }
}

/// <summary>What kind of hidden code point was found (named in the finding's message).</summary>
internal enum HiddenClass
{
    ZeroWidth,
    Bidi,
    Tag,
    Control,
    Format,
    PrivateUse,
    Unassigned,
    UnpairedSurrogate,
    VariationSelector,
    Filler,
}

internal readonly record struct HiddenCodePoint(int Index, int Value, HiddenClass Class);

internal sealed record HiddenReport(IReadOnlyList<HiddenCodePoint> CodePoints, string TagText);
