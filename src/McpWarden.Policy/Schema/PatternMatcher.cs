using System.Text.RegularExpressions;

namespace McpWarden.Policy.Schema;

/// <summary>A regex built once at compile time, whose match timeout is reported instead of thrown.</summary>
internal sealed class PatternMatcher(Regex regex, string pattern)
{
    public string Pattern { get; } = pattern;

    public bool IsMatch(ReadOnlySpan<char> text, out bool timedOut)
    {
        try
        {
            timedOut = false;
            return regex.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            timedOut = true;
            return false;
        }
    }
}
