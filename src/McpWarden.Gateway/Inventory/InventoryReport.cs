using McpWarden.Catalog.Classification;
using McpWarden.Catalog.Definitions;
using McpWarden.Catalog.Pinning;
using McpWarden.Catalog.Scanning;
using McpWarden.Gateway.Configuration;
using McpWarden.Gateway.Pinning;
using McpWarden.Policy.Compilation;

namespace McpWarden.Gateway.Inventory;

/// <summary>Every configured server, in configured order, with every tool it lists and what the gateway makes of each.</summary>
public sealed record InventoryReport(IReadOnlyList<ServerInventory> Servers);

/// <summary>One server: how it is configured, what it said of itself, and its tools (none when it could not be listed).</summary>
/// <param name="Context">What the server announced; null when it could not be listed.</param>
/// <param name="Error">Why the server could not be listed; null when it was.</param>
/// <param name="Truncated">True when the server offered more pages than the gateway reads.</param>
/// <param name="CatalogFindings">What the gateway's tool-list reader noticed: names refused, schemas that do not compile, duplicates.</param>
/// <param name="InstructionFindings">What the poisoning scan found in the server's <c>instructions</c>.</param>
public sealed record ServerInventory(
    ServerDefinition Definition,
    ServerContext? Context,
    string? ProtocolVersion,
    string? Error,
    bool Truncated,
    IReadOnlyList<string> CatalogFindings,
    IReadOnlyList<ScanFinding> InstructionFindings,
    IReadOnlyList<ToolInventory> Tools)
{
    public string Name => Definition.Name;
}

/// <summary>One listed tool.</summary>
/// <param name="Rule">The rule that governs it in the server's policy (an exact key, a pattern, or the default).</param>
/// <param name="HiddenBy">Why an agent would not see it under enforcement (<see cref="HiddenReasons"/>); empty when nothing hides it.</param>
/// <param name="Visible">Whether an agent sees it in <c>tools/list</c> through the gateway now (observe mode hides nothing).</param>
/// <param name="Findings">What the poisoning scan found in its model-visible strings.</param>
public sealed record ToolInventory(
    ToolDefinition Definition,
    ToolClassification Classification,
    CompiledRule Rule,
    IReadOnlyList<string> HiddenBy,
    bool Visible,
    ToolPin Pin,
    IReadOnlyList<ScanFinding> Findings)
{
    public string Name => Definition.Name;
}

/// <summary>How a tool's definition as listed now stands against its pin.</summary>
/// <param name="Fingerprint">The fingerprint of the definition as listed now.</param>
/// <param name="PinnedFingerprint">The fingerprint of the pinned definition, when there is a pin.</param>
/// <param name="WaitingFingerprint">
/// The fingerprint of the changed definition the store holds for a person to accept (what an accept would
/// pin), when there is one: it may differ from <paramref name="Fingerprint"/> if the server changed the tool
/// again since a gateway last listed it, and is null while no gateway has listed the change yet.
/// </param>
/// <param name="Diff">From the pinned definition to the one listed now; empty unless <see cref="PinState.Changed"/>.</param>
public sealed record ToolPin(PinState State, string Fingerprint, string? PinnedFingerprint, string? WaitingFingerprint = null, IReadOnlyList<DefinitionChange>? Diff = null);

/// <summary>Why a tool is hidden from agents; stable names (docs/inventory.md).</summary>
public static class HiddenReasons
{
    /// <summary>The policy's effective action for it is deny.</summary>
    public const string Policy = "policy";

    /// <summary>Its name cannot be matched to rules or called (the gateway leaves it out).</summary>
    public const string UnusableName = "unusable_name";

    /// <summary>The server lists its name more than once with different definitions (each is reported; the gateway withholds the name).</summary>
    public const string DuplicateName = "duplicate_name";

    /// <summary>Its definition differs from the pinned one and no one has accepted the change.</summary>
    public const string PinChanged = "pin_changed";

    /// <summary>The poisoning scan flagged it and the server's <c>scan</c> action is hide.</summary>
    public const string Scan = "scan";
}
