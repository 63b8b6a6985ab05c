using System.Text.Json;

namespace McpWarden.Catalog.Definitions;

/// <summary>
/// One entry of a server's <c>tools/list</c> answer, read leniently: fields of the wrong type count as absent.
/// <see cref="Json"/> keeps the entry exactly as the server sent it, for fingerprints and scans.
/// </summary>
public sealed class ToolDefinition
{
    private ToolDefinition(JsonElement json, string name, string? title, string? description, JsonElement? inputSchema, JsonElement? outputSchema, ToolHints hints)
    {
        Json = json;
        Name = name;
        Title = title;
        Description = description;
        InputSchema = inputSchema;
        OutputSchema = outputSchema;
        Hints = hints;
    }

    /// <summary>The entry as the server sent it.</summary>
    public JsonElement Json { get; }

    public string Name { get; }

    /// <summary>The tool's <c>title</c>, else its <c>annotations.title</c>.</summary>
    public string? Title { get; }

    public string? Description { get; }

    /// <summary>The declared <c>inputSchema</c>, when it is an object.</summary>
    public JsonElement? InputSchema { get; }

    /// <summary>The declared <c>outputSchema</c>, when it is an object.</summary>
    public JsonElement? OutputSchema { get; }

    public ToolHints Hints { get; }

    /// <summary>Reads one <c>tools/list</c> entry; null when it is not an object with a readable string <c>name</c>.</summary>
    public static ToolDefinition? From(JsonElement tool)
    {
        if (tool.ValueKind != JsonValueKind.Object || Text(tool, "name") is not { } name)
        {
            return null;
        }

        var json = tool.Clone();
        var annotations = Member(json, "annotations", JsonValueKind.Object);
        var hints = annotations is { } a
            ? new ToolHints(Text(a, "title"), Flag(a, "readOnlyHint"), Flag(a, "destructiveHint"), Flag(a, "idempotentHint"), Flag(a, "openWorldHint"))
            : ToolHints.None;
        return new ToolDefinition(
            json,
            name,
            Text(json, "title") ?? hints.Title,
            Text(json, "description"),
            Member(json, "inputSchema", JsonValueKind.Object),
            Member(json, "outputSchema", JsonValueKind.Object),
            hints);
    }

    /// <summary>Reads every entry of a <c>tools</c> array, skipping the unreadable ones.</summary>
    public static IReadOnlyList<ToolDefinition> ListFrom(JsonElement tools) =>
        tools.ValueKind == JsonValueKind.Array ? [.. tools.EnumerateArray().Select(From).OfType<ToolDefinition>()] : [];

    private static JsonElement? Member(JsonElement owner, string name, JsonValueKind kind) =>
        owner.TryGetProperty(name, out var value) && value.ValueKind == kind ? value : null;

    /// <summary>
    /// A string member; absent when it cannot be read as text (a lone surrogate escape such as <c>"\ud800"</c>).
    /// The scan reads the raw JSON and reports such a string, so nothing unreadable reaches a person unflagged.
    /// </summary>
    private static string? Text(JsonElement owner, string name)
    {
        if (Member(owner, name, JsonValueKind.String) is not { } value)
        {
            return null;
        }

        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static bool? Flag(JsonElement owner, string name) =>
        owner.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;
}
