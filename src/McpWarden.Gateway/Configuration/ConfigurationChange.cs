using McpWarden.Policy.Diagnostics;

namespace McpWarden.Gateway.Configuration;

/// <summary>What one reload did, for the host to act on (start, stop and close what the change concerns) and to log.</summary>
/// <param name="Accepted">False when the load had errors: nothing changed.</param>
/// <param name="Revision">The revision in force afterwards.</param>
/// <param name="Diagnostics">Everything the load reported.</param>
/// <param name="Added">Servers that are new: reachable from now on.</param>
/// <param name="Removed">Servers that are gone: their sessions are to be closed.</param>
/// <param name="Replaced">Servers reached differently now (command, arguments, environment, directory, URL, headers): their sessions are to be closed, so clients reconnect to the new upstream.</param>
/// <param name="Updated">Servers whose policy, mode or timeout changed: their sessions follow from the swap on.</param>
/// <param name="GrantsChanged">Whether grants were added, removed or changed: they apply to the next request.</param>
/// <param name="NotApplied">Settings that changed but take effect only on a restart.</param>
public sealed record ConfigurationChange(
    bool Accepted,
    int Revision,
    IReadOnlyList<Diagnostic> Diagnostics,
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Removed,
    IReadOnlyList<string> Replaced,
    IReadOnlyList<string> Updated,
    bool GrantsChanged,
    IReadOnlyList<string> NotApplied)
{
    /// <summary>The servers whose open sessions must end: removed, or reached differently.</summary>
    public IReadOnlyList<string> Closed => [.. Removed, .. Replaced];

    /// <summary>Whether the change touched anything the gateway serves.</summary>
    public bool ChangedAnything => Added.Count + Removed.Count + Replaced.Count + Updated.Count > 0 || GrantsChanged;
}
