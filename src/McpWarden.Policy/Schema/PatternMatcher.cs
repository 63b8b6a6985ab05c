using System.Text.RegularExpressions;

namespace McpWarden.Policy.Schema;

/// <summary>A regex built once at compile time, whose match timeout is reported instead of thrown.</summary>
internal sealed class PatternMatcher(Regex regex, string pattern)
{
    public string Pattern { get; } = pattern;

    public PatternOutcome Match(ReadOnlySpan<char> text)
    {
        try
        {
            return regex.IsMatch(text) ? PatternOutcome.Match : PatternOutcome.NoMatch;
        }
        catch (RegexMatchTimeoutException)
        {
            return PatternOutcome.TimedOut;
        }
    }
}
