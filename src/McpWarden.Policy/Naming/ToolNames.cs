using System.Globalization;
using System.Text;

namespace McpWarden.Policy.Naming;

/// <summary>
/// The rules for tool names: compared byte for byte after Unicode NFC, never case-folded, and refused
/// when they contain control, format (zero-width, bidi), whitespace or other invisible characters,
/// which exist in names only to make two different tools look alike.
/// </summary>
public static class ToolNames
{
    /// <summary>Why a called name cannot be used, or null when it can: it must be visible and in Unicode NFC.</summary>
    public static string? Problem(string name) =>
        VisibilityProblem(name) ?? (name.IsNormalized(NormalizationForm.FormC) ? null : "it is not in Unicode normalisation form C");

    /// <summary>
    /// Why a name cannot be shown to a person as it is (empty, or with control or invisible characters),
    /// or null. Normalisation is a separate question: a policy key may be written in another form.
    /// </summary>
    public static string? VisibilityProblem(string name)
    {
        if (name.Length == 0)
        {
            return "the name is empty";
        }

        // Fast path: printable ASCII is always NFC and never invisible.
        var asciiPrintable = true;
        foreach (var c in name)
        {
            if (c is < '!' or > '~')
            {
                asciiPrintable = false;
                break;
            }
        }

        if (asciiPrintable)
        {
            return null;
        }

        for (var i = 0; i < name.Length; i++)
        {
            if (!Rune.TryGetRuneAt(name, i, out var rune))
            {
                return $"it contains an unpaired surrogate at index {i}";
            }

            if (IsInvisible(rune))
            {
                return $"it contains the invisible or control character U+{rune.Value:X4} at index {i}";
            }

            i += rune.Utf16SequenceLength - 1;
        }

        return null;
    }

    /// <summary>The NFC form used for comparison (the name itself when it already is NFC).</summary>
    public static string Normalize(string name) =>
        name.IsNormalized(NormalizationForm.FormC) ? name : name.Normalize(NormalizationForm.FormC);

    /// <summary>Characters a person cannot see or that change how neighbours render.</summary>
    public static bool IsInvisible(Rune rune)
    {
        if (Rune.IsWhiteSpace(rune))
        {
            return true;
        }

        switch (Rune.GetUnicodeCategory(rune))
        {
            case UnicodeCategory.Control:
            case UnicodeCategory.Format:
            case UnicodeCategory.Surrogate:
            case UnicodeCategory.PrivateUse:
            case UnicodeCategory.OtherNotAssigned:
            case UnicodeCategory.LineSeparator:
            case UnicodeCategory.ParagraphSeparator:
            case UnicodeCategory.SpaceSeparator:
                return true;
        }

        return IsDefaultIgnorable(rune.Value);
    }

    /// <summary>Unicode's Default_Ignorable_Code_Point ranges that are not already Cf (fillers, variation selectors, tags).</summary>
    private static bool IsDefaultIgnorable(int value) => value switch
    {
        0x034F => true,
        0x115F or 0x1160 => true,
        0x17B4 or 0x17B5 => true,
        >= 0x180B and <= 0x180F => true,
        0x3164 => true,
        >= 0xFE00 and <= 0xFE0F => true,
        0xFFA0 => true,
        >= 0xFFF0 and <= 0xFFF8 => true,
        >= 0x1BCA0 and <= 0x1BCA3 => true,
        >= 0x1D173 and <= 0x1D17A => true,
        >= 0xE0000 and <= 0xE0FFF => true,
        _ => false,
    };
}
