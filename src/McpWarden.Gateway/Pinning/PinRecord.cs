using McpWarden.Catalog.Pinning;

namespace McpWarden.Gateway.Pinning;

/// <summary>One pinned tool: the definition that was approved (first seen, or accepted since), and a changed one waiting for a person.</summary>
/// <param name="AcceptedAt">When a person last accepted a change; null while the first-seen definition stands.</param>
/// <param name="Changed">The differing definition the server listed most recently, until accepted.</param>
/// <param name="ChangedAt">When <paramref name="Changed"/> was first seen.</param>
public sealed record PinRecord(
    string Server,
    string Tool,
    PinnedDefinition Pinned,
    DateTimeOffset PinnedAt,
    DateTimeOffset? AcceptedAt,
    PinnedDefinition? Changed,
    DateTimeOffset? ChangedAt)
{
    /// <summary>How <paramref name="current"/> stands against this pin.</summary>
    public PinState StateOf(PinnedDefinition current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return string.Equals(current.Fingerprint, Pinned.Fingerprint, StringComparison.Ordinal) ? PinState.Pinned : PinState.Changed;
    }
}
