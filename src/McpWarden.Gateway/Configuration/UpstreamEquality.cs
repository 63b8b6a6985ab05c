namespace McpWarden.Gateway.Configuration;

/// <summary>
/// Whether two upstream definitions reach the same server the same way. Records compare their lists and maps
/// by reference, so this compares them by content: a reload that leaves a server's entry alone must not restart it.
/// </summary>
public static class UpstreamEquality
{
    public static bool Same(UpstreamDefinition? left, UpstreamDefinition? right) => (left, right) switch
    {
        (null, null) => true,
        (StdioUpstreamDefinition a, StdioUpstreamDefinition b) =>
            a.Command == b.Command
            && a.Shared == b.Shared
            && a.WorkingDirectory == b.WorkingDirectory
            && a.Arguments.SequenceEqual(b.Arguments, StringComparer.Ordinal)
            && SameMap(a.Environment, b.Environment),
        (HttpUpstreamDefinition a, HttpUpstreamDefinition b) =>
            a.Url == b.Url && a.Kind == b.Kind && SameMap(a.Headers, b.Headers),
        _ => false,
    };

    private static bool SameMap(IReadOnlyDictionary<string, string> left, IReadOnlyDictionary<string, string> right) =>
        left.Count == right.Count && left.All(pair => right.TryGetValue(pair.Key, out var value) && string.Equals(value, pair.Value, StringComparison.Ordinal));
}
