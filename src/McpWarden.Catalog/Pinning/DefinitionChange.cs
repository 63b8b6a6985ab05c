namespace McpWarden.Catalog.Pinning;

/// <summary>How one place of a tool definition differs between the pin and what the server lists now.</summary>
public enum DefinitionChangeKind
{
    Added,
    Removed,
    Changed,
}

/// <summary>One difference between two definitions, at a JSON Pointer, with the values as a reader should see them.</summary>
/// <param name="Path">Where, as an RFC 6901 JSON Pointer into the definition (<c>/inputSchema/properties/cc</c>).</param>
/// <param name="Before">The pinned value, quoted, escaped and shortened; null when <see cref="DefinitionChangeKind.Added"/>.</param>
/// <param name="After">The value listed now, likewise; null when <see cref="DefinitionChangeKind.Removed"/>.</param>
public sealed record DefinitionChange(string Path, DefinitionChangeKind Kind, string? Before, string? After)
{
    /// <summary>The change in one line: <c>/description: "a" → "b"</c>, <c>/x: added 1</c>, <c>/y: removed (was 2)</c>.</summary>
    public string Describe() => Kind switch
    {
        DefinitionChangeKind.Added => $"{Path}: added {After}",
        DefinitionChangeKind.Removed => $"{Path}: removed (was {Before})",
        _ => $"{Path}: {Before} → {After}",
    };
}
