using System.Text;

namespace McpWarden.Catalog.Classification;

/// <summary>
/// Splits names and prose into lower-case words, so rules match whole words only: <c>getUserName</c>,
/// <c>get_user_name</c> and <c>get-user-name</c> all give <c>get user name</c>, and <c>thread</c> never holds <c>read</c>.
/// </summary>
internal static class WordSplitter
{
    public static IReadOnlyList<string> Split(string? text)
    {
        var words = new List<string>();
        if (string.IsNullOrEmpty(text))
        {
            return words;
        }

        var current = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsLetterOrDigit(c))
            {
                Flush(current, words);
                continue;
            }

            // A lower-case letter or digit followed by an upper-case one starts a new word (camelCase), and so
            // does the last capital of a run followed by a lower-case letter (HTTPServer: HTTP, Server).
            if (char.IsUpper(c) && current.Length > 0)
            {
                var previous = text[i - 1];
                var nextIsLower = i + 1 < text.Length && char.IsLower(text[i + 1]);
                if (char.IsLower(previous) || (char.IsUpper(previous) && nextIsLower))
                {
                    Flush(current, words);
                }
            }

            current.Append(char.ToLowerInvariant(c));
        }

        Flush(current, words);
        return words;
    }

    private static void Flush(StringBuilder current, List<string> words)
    {
        if (current.Length > 0)
        {
            words.Add(current.ToString());
            current.Clear();
        }
    }
}
