using McpWarden.Catalog.Definitions;

namespace McpWarden.Catalog.Pinning;

/// <summary>The pinned form of a tool definition: the fields that decide what the model is told and what the tool accepts.</summary>
public static class ToolFingerprint
{
    // PLACEHOLDER until pinning lands.
    public static PinnedDefinition Of(ToolDefinition tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        var text = tool.Json.GetRawText();
        return new PinnedDefinition(tool.Name, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))), text);
    }
}
