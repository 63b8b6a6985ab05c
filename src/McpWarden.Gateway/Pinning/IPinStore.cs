using McpWarden.Catalog.Pinning;

namespace McpWarden.Gateway.Pinning;

/// <summary>
/// First-seen tool definitions, per server: trust on first use, then nothing changes without a person.
/// Implementations: in memory, SQLite, and (for replicas) Redis; all pass one contract-test suite.
/// </summary>
public interface IPinStore
{
    /// <summary>
    /// Compares what <paramref name="server"/> lists now with its pins: a tool seen for the first time is
    /// pinned as listed; one that differs from its pin is <see cref="PinState.Changed"/>, and the definition
    /// is kept for a person to accept. One answer per listed tool, in order.
    /// </summary>
    Task<IReadOnlyList<PinCheck>> CheckAsync(string server, IReadOnlyList<PinnedDefinition> listed, CancellationToken cancellationToken);

    /// <summary>Every pin, or one server's, ordered by server then tool.</summary>
    Task<IReadOnlyList<PinRecord>> ListAsync(string? server, CancellationToken cancellationToken);

    /// <summary>
    /// The server and tool of every pin, ordered as <see cref="ListAsync"/>, without the definitions: what vetting
    /// needs of the other servers (their tool names, for the scan's shadowing check) on every list. Stores that
    /// predate it answer from <see cref="ListAsync"/>.
    /// </summary>
    async Task<IReadOnlyList<PinName>> ListNamesAsync(CancellationToken cancellationToken) =>
        [.. (await ListAsync(null, cancellationToken).ConfigureAwait(false)).Select(pin => new PinName(pin.Server, pin.Tool))];

    /// <summary>
    /// Makes the changed definition waiting for <paramref name="tool"/> the pin. With a
    /// <paramref name="fingerprint"/>, only if the waiting one still has it (what the person reviewed).
    /// </summary>
    Task<PinAcceptance> AcceptAsync(string server, string tool, string? fingerprint, CancellationToken cancellationToken);
}

/// <summary>A pinned tool by name only.</summary>
public readonly record struct PinName(string Server, string Tool);
