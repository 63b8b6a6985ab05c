using System.Text.Json;
using McpWarden.Catalog.Definitions;
using McpWarden.Policy.Json;

namespace McpWarden.Catalog.Pinning;

/// <summary>The pinned form of a tool definition: the fields that decide what the model is told and what the tool accepts.</summary>
public static class ToolFingerprint
{
    /// <summary>
    /// The members a pin covers. <c>outputSchema</c>, <c>_meta</c> and <c>icons</c> are left out: they change
    /// neither what the model reads before calling nor what the call may carry, and servers rewrite them freely.
    /// </summary>
    public static IReadOnlyList<string> Members { get; } = ["name", "title", "description", "inputSchema", "annotations"];

    /// <summary>
    /// Canonical JSON (<see cref="CanonicalJson"/>) of an object holding exactly the tool's pinned members
    /// that are present, as sent (whatever their type), and the lower-case hex SHA-256 of that text.
    /// </summary>
    public static PinnedDefinition Of(ToolDefinition tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var member in Members)
            {
                if (tool.Json.TryGetProperty(member, out var value))
                {
                    writer.WritePropertyName(member);
                    value.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return new PinnedDefinition(tool.Name, CanonicalJson.Sha256(document.RootElement), CanonicalJson.ToText(document.RootElement));
    }

    /// <summary>The first characters of a fingerprint, enough to tell pins apart in a listing.</summary>
    public static string Abbreviate(string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        return fingerprint.Length <= 12 ? fingerprint : fingerprint[..12];
    }
}
