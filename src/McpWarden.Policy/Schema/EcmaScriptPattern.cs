using System.Text;

namespace McpWarden.Policy.Schema;

/// <summary>
/// Rewrites the ECMA-262 constructs JSON Schema patterns use whose .NET meaning is looser, so that a policy
/// cannot be bypassed with input .NET accepts and ECMAScript would not.
/// </summary>
internal static class EcmaScriptPattern
{
    private const string Digit = "0-9";
    private const string Word = "a-zA-Z0-9_";

    private static readonly Dictionary<string, string> LongCategoryNames = new(StringComparer.Ordinal)
    {
        ["Letter"] = "L", ["Uppercase_Letter"] = "Lu", ["Lowercase_Letter"] = "Ll", ["Titlecase_Letter"] = "Lt",
        ["Modifier_Letter"] = "Lm", ["Other_Letter"] = "Lo", ["Mark"] = "M", ["Combining_Mark"] = "M", ["Nonspacing_Mark"] = "Mn",
        ["Spacing_Mark"] = "Mc", ["Enclosing_Mark"] = "Me", ["Number"] = "N", ["Decimal_Number"] = "Nd", ["digit"] = "Nd",
        ["Letter_Number"] = "Nl", ["Other_Number"] = "No", ["Punctuation"] = "P", ["punct"] = "P", ["Connector_Punctuation"] = "Pc",
        ["Dash_Punctuation"] = "Pd", ["Open_Punctuation"] = "Ps", ["Close_Punctuation"] = "Pe", ["Initial_Punctuation"] = "Pi",
        ["Final_Punctuation"] = "Pf", ["Other_Punctuation"] = "Po", ["Symbol"] = "S", ["Math_Symbol"] = "Sm", ["Currency_Symbol"] = "Sc",
        ["Modifier_Symbol"] = "Sk", ["Other_Symbol"] = "So", ["Separator"] = "Z", ["Space_Separator"] = "Zs", ["Line_Separator"] = "Zl",
        ["Paragraph_Separator"] = "Zp", ["Other"] = "C", ["Control"] = "Cc", ["cntrl"] = "Cc", ["Format"] = "Cf", ["Surrogate"] = "Cs",
        ["Private_Use"] = "Co", ["Unassigned"] = "Cn",
    };

    /// <summary>
    /// Translates: long Unicode property names in <c>\p{...}</c> to .NET's short ones, <c>\d</c> and <c>\w</c> become ASCII-only (.NET's match any Unicode digit or letter), their negations
    /// likewise outside character classes, <c>\s</c> also matches U+FEFF as in ECMAScript, <c>$</c> becomes <c>\z</c> (.NET's also matches before a final newline),
    /// and a literal astral character is grouped so that a quantifier applies to both of its UTF-16 units.
    /// </summary>
    public static string Translate(string pattern)
    {
        var result = new StringBuilder(pattern.Length + 16);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 2 < pattern.Length && pattern[i + 1] is 'p' or 'P' && pattern[i + 2] == '{')
            {
                var close = pattern.IndexOf('}', i + 3);
                if (close > 0)
                {
                    result.Append('\\').Append(pattern[i + 1]).Append('{').Append(PropertyName(pattern[(i + 3)..close])).Append('}');
                    i = close;
                    continue;
                }
            }

            if (c == '\\' && i + 1 < pattern.Length)
            {
                i++;
                result.Append(TranslateEscape(pattern[i], inClass));
                continue;
            }

            if (inClass)
            {
                inClass = c != ']';
                result.Append(c);
                continue;
            }

            switch (c)
            {
                case '[':
                    inClass = true;
                    result.Append(c);

                    // A leading "^" negates and is not the class's first member.
                    if (i + 1 < pattern.Length && pattern[i + 1] == '^')
                    {
                        result.Append('^');
                        i++;
                    }

                    break;
                case '$':
                    result.Append(@"\z");
                    break;
                case var high when char.IsHighSurrogate(high) && i + 1 < pattern.Length && char.IsLowSurrogate(pattern[i + 1]):
                    // .NET regexes see UTF-16 units; grouping the pair makes a quantifier after it repeat the whole character.
                    result.Append("(?:").Append(high).Append(pattern[i + 1]).Append(')');
                    i++;
                    break;
                default:
                    result.Append(c);
                    break;
            }
        }

        return result.ToString();
    }

    /// <summary>Maps ECMAScript's long general-category names (<c>Letter</c>, <c>gc=Lu</c>) to the short ones .NET knows.</summary>
    private static string PropertyName(string name)
    {
        var value = name.StartsWith("General_Category=", StringComparison.Ordinal) ? name["General_Category=".Length..]
            : name.StartsWith("gc=", StringComparison.Ordinal) ? name[3..]
            : name;
        return LongCategoryNames.TryGetValue(value, out var shortName) ? shortName : value;
    }

    private static string TranslateEscape(char escaped, bool inClass) => (escaped, inClass) switch
    {
        ('d', false) => "[" + Digit + "]",
        ('d', true) => Digit,
        ('D', false) => "[^" + Digit + "]",
        ('w', false) => "[" + Word + "]",
        ('w', true) => Word,
        ('W', false) => "[^" + Word + "]",
        ('s', false) => @"[\s\uFEFF]",
        ('s', true) => @"\s\uFEFF",
        ('S', false) => @"[^\s\uFEFF]",
        _ => "\\" + escaped,
    };
}
