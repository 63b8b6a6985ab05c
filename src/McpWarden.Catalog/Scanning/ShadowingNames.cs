namespace McpWarden.Catalog.Scanning;

/// <summary>
/// Finds mentions of other servers' tools in one server's text. A name is taken as mentioned when it stands
/// as a whole word (not inside a longer identifier) and either looks like an identifier (it has a
/// <c>_</c>, <c>-</c> or <c>.</c>, or a camelCase hump, and four characters or more) or is quoted, in
/// backticks, or followed by "tool": plain words such as <c>search</c> or <c>echo</c> appear in ordinary
/// sentences. Names the scanned server has itself (<see cref="ScanContext.OwnTools"/>, and the scanned tool's
/// own name) are not counted: a server may point at its own tools.
/// </summary>
internal sealed class ShadowingNames
{
    private readonly List<(string Server, string Name, string Lower, bool Distinctive)> _names = [];

    public ShadowingNames(ScanContext context, string? ownName)
    {
        var own = new HashSet<string>(context.OwnTools, StringComparer.Ordinal);
        if (ownName is not null)
        {
            own.Add(ownName);
        }

        foreach (var (server, tools) in context.OtherServersTools.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (string.Equals(server, context.Server, StringComparison.Ordinal) || tools is null)
            {
                continue;
            }

            foreach (var name in tools.Where(name => !string.IsNullOrEmpty(name) && !own.Contains(name)).Order(StringComparer.Ordinal))
            {
                var lower = name.ToLowerInvariant();
                _names.Add((server, name, lower, IsDistinctive(name)));
            }
        }
    }

    public Mention? Find(string readable)
    {
        foreach (var (server, name, lower, distinctive) in _names)
        {
            for (var at = readable.IndexOf(lower, StringComparison.Ordinal); at >= 0; at = readable.IndexOf(lower, at + 1, StringComparison.Ordinal))
            {
                var end = at + lower.Length;
                if (!IsBoundary(readable, at - 1) || !IsBoundary(readable, end))
                {
                    continue;
                }

                if (distinctive || IsMarked(readable, at, end))
                {
                    return new Mention(server, name, at);
                }
            }
        }

        return null;
    }

    private static bool IsDistinctive(string name)
    {
        if (name.Length < 4)
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] is '_' or '-' or '.' || (i > 0 && char.IsUpper(name[i]) && char.IsLower(name[i - 1])))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsBoundary(string text, int index) =>
        index < 0 || index >= text.Length || !(char.IsLetterOrDigit(text[index]) || text[index] is '_' or '-');

    private static bool IsMarked(string text, int start, int end)
    {
        var before = start > 0 ? text[start - 1] : '\0';
        var after = end < text.Length ? text[end] : '\0';
        return (before is '`' or '\'' or '"' && after == before) || text.AsSpan(end).StartsWith(" tool", StringComparison.Ordinal);
    }
}

internal sealed record Mention(string Server, string Name, int Index);
