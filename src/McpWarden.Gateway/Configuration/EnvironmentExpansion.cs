using System.Text;

namespace McpWarden.Gateway.Configuration;

/// <summary>
/// <c>${NAME}</c> in configuration strings, replaced from the environment. A variable that is not set is
/// an error, never an empty string: a missing secret must not start a server with no credentials.
/// <c>$${</c> writes a literal <c>${</c>; any other <c>$</c> stays as it is.
/// </summary>
public static class EnvironmentExpansion
{
    /// <summary>Expands <paramref name="text"/>; the names of unset variables are added to <paramref name="missing"/>.</summary>
    public static string Expand(string text, Func<string, string?> environment, List<string> missing)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(missing);
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '$')
            {
                builder.Append(text[i]);
            }
            else if (string.CompareOrdinal(text, i, "$${", 0, 3) == 0)
            {
                builder.Append("${");
                i += 2;
            }
            else if (string.CompareOrdinal(text, i, "${", 0, 2) == 0 && text.IndexOf('}', i + 2) is var end and > 0 && IsName(text.AsSpan(i + 2, end - i - 2)))
            {
                var name = text[(i + 2)..end];
                var value = environment(name);
                if (value is null)
                {
                    missing.Add(name);
                }

                builder.Append(value);
                i = end;
            }
            else
            {
                builder.Append('$');
            }
        }

        return builder.ToString();
    }

    private static bool IsName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
