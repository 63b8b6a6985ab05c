namespace McpWarden.Catalog.Scanning;

/// <summary>The kinds of finding the poisoning scan reports; stable names, documented in docs/catalog.md.</summary>
public static class ScanKinds
{
    /// <summary>Zero-width characters, bidi controls, Unicode tag characters and other invisible code points.</summary>
    public const string HiddenUnicode = "hidden_unicode";

    /// <summary>Text aimed at the model rather than the user: importance tags, "ignore previous instructions", "do not tell the user", orders to call other tools.</summary>
    public const string InstructionMarker = "instruction_marker";

    /// <summary>Requests to read keys, credentials or configuration files.</summary>
    public const string SecretAccess = "secret_access";

    /// <summary>Requests to send data somewhere else (a URL, an address, another tool's argument).</summary>
    public const string Exfiltration = "exfiltration";

    /// <summary>Mentions of another server's tools, to change how the model uses them.</summary>
    public const string Shadowing = "shadowing";

    /// <summary>
    /// A definition the scan could not read whole (nested deeper, or larger, than it examines, or a string
    /// that is not valid Unicode): what was not read cannot be vouched for, so it counts as a finding.
    /// </summary>
    public const string Unscannable = "unscannable";

    /// <summary>Every kind, in the order the documentation lists them.</summary>
    public static IReadOnlyList<string> All { get; } = [HiddenUnicode, InstructionMarker, SecretAccess, Exfiltration, Shadowing, Unscannable];
}
