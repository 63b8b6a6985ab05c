namespace McpWarden.Catalog.Definitions;

/// <summary>
/// A tool's <c>annotations</c> as declared, each null when the server left it out. They are untrusted hints:
/// the classifier reads a missing one pessimistically (see <see cref="IsReadOnly"/> and friends).
/// </summary>
public sealed record ToolHints(string? Title, bool? ReadOnly, bool? Destructive, bool? Idempotent, bool? OpenWorld)
{
    public static ToolHints None { get; } = new(null, null, null, null, null);

    /// <summary>MCP's default for a missing <c>readOnlyHint</c> is false.</summary>
    public bool IsReadOnly => ReadOnly ?? false;

    /// <summary>MCP's default for a missing <c>destructiveHint</c> is true.</summary>
    public bool IsDestructive => Destructive ?? true;

    /// <summary>MCP's default for a missing <c>idempotentHint</c> is false.</summary>
    public bool IsIdempotent => Idempotent ?? false;

    /// <summary>MCP's default for a missing <c>openWorldHint</c> is true.</summary>
    public bool IsOpenWorld => OpenWorld ?? true;
}
