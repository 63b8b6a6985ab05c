using McpWarden.Catalog.Definitions;

namespace McpWarden.Catalog.Scanning;

/// <summary>
/// Scans every string of a tool's definition the model will read (title, descriptions, schema descriptions,
/// enum values, defaults, examples) for hidden Unicode, instructions aimed at the model, and shadowing.
/// </summary>
public static class PoisoningScanner
{
    // PLACEHOLDER until the rules land: finds nothing.
    public static IReadOnlyList<ScanFinding> Scan(ToolDefinition tool, ScanContext context)
    {
        ArgumentNullException.ThrowIfNull(tool);
        ArgumentNullException.ThrowIfNull(context);
        return [];
    }

    /// <summary>Scans the server's own <c>instructions</c> (also read by the model).</summary>
    public static IReadOnlyList<ScanFinding> ScanInstructions(string instructions, ScanContext context)
    {
        ArgumentNullException.ThrowIfNull(instructions);
        ArgumentNullException.ThrowIfNull(context);
        return [];
    }
}
