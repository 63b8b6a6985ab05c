using System.Text;
using System.Text.RegularExpressions;

namespace McpWarden.Gateway.Relay;

/// <summary>
/// Whether a URI could have come from a resource template (RFC 6570), so that a resource the client never saw
/// listed still reaches the server whose template produces it. The match is deliberately loose about what a
/// variable expands to and strict about the literal text around it: that text is what tells servers apart.
/// </summary>
internal sealed class UriTemplatePattern
{
    /// <summary>Non-backtracking matching is linear in the URI; the timeout is a second line of defence.</summary>
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    private readonly Regex? _pattern;

    private UriTemplatePattern(string template, Regex? pattern)
    {
        Template = template;
        _pattern = pattern;
    }

    /// <summary>The template as the server listed it.</summary>
    public string Template { get; }

    /// <summary>A template that is not well formed (an unclosed brace) matches nothing.</summary>
    public static UriTemplatePattern Parse(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var pattern = new StringBuilder("^");
        var at = 0;
        while (at < template.Length)
        {
            var open = template.IndexOf('{', at);
            if (open < 0)
            {
                pattern.Append(Regex.Escape(template[at..]));
                break;
            }

            var close = template.IndexOf('}', open + 1);
            if (close < 0)
            {
                return new UriTemplatePattern(template, null);
            }

            pattern.Append(Regex.Escape(template[at..open])).Append(ExpressionPattern(template[(open + 1)..close]));
            at = close + 1;
        }

        pattern.Append('$');
        return new UriTemplatePattern(template, new Regex(pattern.ToString(), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, MatchTimeout));
    }

    public bool Matches(string uri)
    {
        try
        {
            return _pattern is not null && _pattern.IsMatch(uri);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>What one <c>{expression}</c> may expand to, by its operator.</summary>
    private static string ExpressionPattern(string expression) => expression.Length == 0 ? string.Empty : expression[0] switch
    {
        // Reserved expansion keeps '/' and '?' as they are.
        '+' => "[^#]*",
        '#' => "(?:#.*)?",
        '/' => "(?:/[^?#]*)?",
        '.' => @"(?:\.[^/?#]*)?",
        ';' => "(?:;[^/?#]*)?",
        '?' or '&' => "(?:[?&][^#]*)?",
        // Simple expansion percent-encodes every reserved character, so it never spans a '/'.
        _ => "[^/?#]*",
    };
}
