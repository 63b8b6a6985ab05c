namespace McpWarden.Policy.Diagnostics;

/// <summary>A one-based line and column in a source file; columns count UTF-16 characters, as editors do.</summary>
public readonly record struct SourcePosition(int Line, int Column)
{
    /// <summary>The position used when nothing better is known: the start of the file.</summary>
    public static SourcePosition Start { get; } = new(1, 1);

    public override string ToString() => $"{Line}:{Column}";
}
