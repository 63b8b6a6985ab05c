namespace McpWarden.Policy.Compilation;

/// <summary>
/// A tool key containing <c>*</c> (any run of characters, possibly empty), compiled once into its literal
/// pieces. Specificity is the number of literal characters: more literal characters win.
/// </summary>
public sealed class ToolPattern
{
    private readonly string[] _pieces;
    private readonly bool _anchoredStart;
    private readonly bool _anchoredEnd;

    public ToolPattern(string key)
    {
        Key = key;
        _pieces = key.Split('*', StringSplitOptions.RemoveEmptyEntries);
        _anchoredStart = !key.StartsWith('*');
        _anchoredEnd = !key.EndsWith('*');
        LiteralCount = key.Length - key.Count(c => c == '*');
    }

    public string Key { get; }

    /// <summary>How many characters of the key are literal; the tie-breaker between patterns.</summary>
    public int LiteralCount { get; }

    /// <summary>The literal text before the first <c>*</c>.</summary>
    public string Prefix => Key[..Key.IndexOf('*')];

    /// <summary>The literal text after the last <c>*</c>.</summary>
    public string Suffix => Key[(Key.LastIndexOf('*') + 1)..];

    /// <summary>Whether a key is a pattern at all.</summary>
    public static bool IsPattern(string key) => key.Contains('*', StringComparison.Ordinal);

    /// <summary>Ordinal match of a whole tool name.</summary>
    public bool Matches(string name)
    {
        var span = name.AsSpan();
        var first = 0;
        var last = _pieces.Length;
        if (_anchoredStart && _pieces.Length > 0)
        {
            if (!span.StartsWith(_pieces[0], StringComparison.Ordinal))
            {
                return false;
            }

            span = span[_pieces[0].Length..];
            first = 1;
        }

        if (_anchoredEnd && last > first)
        {
            if (!span.EndsWith(_pieces[last - 1], StringComparison.Ordinal))
            {
                return false;
            }

            span = span[..^_pieces[last - 1].Length];
            last--;
        }

        // Between the anchors, '*' pieces match leftmost-first: greedy search is exact for '*'-only globs.
        for (var i = first; i < last; i++)
        {
            var at = span.IndexOf(_pieces[i], StringComparison.Ordinal);
            if (at < 0)
            {
                return false;
            }

            span = span[(at + _pieces[i].Length)..];
        }

        return true;
    }

    /// <summary>Whether some tool name matches both patterns (decided exactly over the two keys).</summary>
    public bool Overlaps(ToolPattern other)
    {
        var a = Key;
        var b = other.Key;
        // reachable[i, j]: some string takes a[..i] and b[..j] to the same point.
        var reachable = new bool[a.Length + 1, b.Length + 1];
        reachable[0, 0] = true;
        for (var i = 0; i <= a.Length; i++)
        {
            for (var j = 0; j <= b.Length; j++)
            {
                if (!reachable[i, j])
                {
                    continue;
                }

                var aStar = i < a.Length && a[i] == '*';
                var bStar = j < b.Length && b[j] == '*';
                if (aStar)
                {
                    reachable[i + 1, j] = true;
                }

                if (bStar)
                {
                    reachable[i, j + 1] = true;
                }

                if (i < a.Length && j < b.Length)
                {
                    if (!aStar && !bStar && a[i] == b[j])
                    {
                        reachable[i + 1, j + 1] = true;
                    }
                    else if (aStar && !bStar)
                    {
                        reachable[i, j + 1] = true;
                    }
                    else if (bStar && !aStar)
                    {
                        reachable[i + 1, j] = true;
                    }
                }
            }
        }

        return reachable[a.Length, b.Length];
    }
}
