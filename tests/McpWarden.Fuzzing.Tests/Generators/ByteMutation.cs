namespace McpWarden.Fuzzing.Tests.Generators;

internal enum ByteMutationKind
{
    Truncate,
    Insert,
    Overwrite,
    Delete,
}

/// <summary>A change to the rendered bytes, where no tree can go: cut, inserted or overwritten bytes (invalid UTF-8, a BOM, NUL...).</summary>
/// <param name="Where">Picks the position modulo the text's length plus one.</param>
internal sealed record ByteMutation(ByteMutationKind Kind, int Where, byte[] Bytes)
{
    public byte[] ApplyTo(byte[] text)
    {
        var at = Where % (text.Length + 1);
        return Kind switch
        {
            ByteMutationKind.Truncate => text[..at],
            ByteMutationKind.Insert => [.. text[..at], .. Bytes, .. text[at..]],
            ByteMutationKind.Overwrite => [.. text[..at], .. Bytes, .. text[Math.Min(text.Length, at + Bytes.Length)..]],
            ByteMutationKind.Delete => [.. text[..at], .. text[Math.Min(text.Length, at + Math.Max(1, Bytes.Length))..]],
            _ => text,
        };
    }

    public override string ToString() => $"{Kind}(at {Where}, bytes {Convert.ToHexString(Bytes.AsSpan(0, Math.Min(Bytes.Length, 32)))}{(Bytes.Length > 32 ? "…" : "")})";
}
