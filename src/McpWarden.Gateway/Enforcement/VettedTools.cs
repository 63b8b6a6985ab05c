using McpWarden.Catalog.Pinning;
using McpWarden.Catalog.Scanning;
using McpWarden.Gateway.Pinning;
using McpWarden.Policy.Evaluation;

namespace McpWarden.Gateway.Enforcement;

/// <summary>What vetting made of one listed tool.</summary>
/// <param name="Definition">Its pinned form as listed now (fingerprint and canonical text).</param>
/// <param name="Pin">Pinned (as pinned, or just pinned), Changed (differs, no one accepted it), Off (pinning switched off for the server).</param>
/// <param name="Findings">What the poisoning scan found in its model-visible strings, whatever the server's scan action.</param>
/// <param name="Withheld">Why its calls are refused whatever the policy (flagged with <c>scan: hide</c>, pin store unreadable); null otherwise.</param>
public sealed record VettedTool(string Name, PinnedDefinition Definition, PinState Pin, IReadOnlyList<ScanFinding> Findings, ToolWithheld? Withheld)
{
    /// <summary>Kept from the agent: changed since pinned, or withheld.</summary>
    public bool Hidden => Pin == PinState.Changed || Withheld is not null;
}

/// <summary>The vetting of one <c>tools/list</c> answer (or of a whole catalog), by tool name.</summary>
public sealed class VettedTools
{
    public VettedTools(IReadOnlyDictionary<string, VettedTool> byName) => ByName = byName;

    /// <summary>Nothing vetted: what a session without vetting uses.</summary>
    public static VettedTools None { get; } = new(new Dictionary<string, VettedTool>(StringComparer.Ordinal));

    public IReadOnlyDictionary<string, VettedTool> ByName { get; }

    /// <summary>
    /// The pin store could not be checked, so every tool is withheld: a passing fault, not a verdict on the
    /// tools. Such a vetting answers the request at hand but is never kept as the list calls are decided against.
    /// </summary>
    public bool PinStoreFailed { get; init; }

    /// <summary>Whether the agent must not see <paramref name="tool"/>; a tool that was not vetted is left to the policy.</summary>
    public bool Hides(string tool) => ByName.TryGetValue(tool, out var vetted) && vetted.Hidden;

    public bool ChangedSincePinned(string tool) => ByName.TryGetValue(tool, out var vetted) && vetted.Pin == PinState.Changed;

    /// <summary>
    /// Whether every tool <paramref name="listed"/> (a later list, or one page of it) was vetted here alike: the
    /// same definition, pin state and verdict. A tool this vetting has not seen, or saw otherwise, disagrees.
    /// </summary>
    public bool Agrees(VettedTools listed)
    {
        ArgumentNullException.ThrowIfNull(listed);
        return listed.ByName.Values.All(tool => ByName.TryGetValue(tool.Name, out var known)
            && string.Equals(known.Definition.Fingerprint, tool.Definition.Fingerprint, StringComparison.Ordinal)
            && known.Pin == tool.Pin
            && known.Withheld == tool.Withheld);
    }

    public ToolWithheld? WithheldOf(string tool) => ByName.TryGetValue(tool, out var vetted) ? vetted.Withheld : null;
}
