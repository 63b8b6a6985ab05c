using System.Globalization;
using System.Text.Json.Nodes;
using McpWarden.Catalog.Pinning;

namespace McpWarden.Gateway.Pinning;

/// <summary>A pin as the admin API and <c>mcpwarden pins list --json</c> show it (docs/pinning.md).</summary>
public static class PinJson
{
    /// <summary>
    /// <c>state</c> is <c>changed</c> while a changed definition waits for a person, else <c>pinned</c>; <c>changed</c>
    /// holds that definition, its fingerprint and the diff from the pin.
    /// </summary>
    public static JsonObject ToJson(PinRecord pin)
    {
        ArgumentNullException.ThrowIfNull(pin);
        return new JsonObject
        {
            ["server"] = pin.Server,
            ["tool"] = pin.Tool,
            ["state"] = pin.Changed is null ? "pinned" : "changed",
            ["fingerprint"] = pin.Pinned.Fingerprint,
            ["pinnedAt"] = Time(pin.PinnedAt),
            ["acceptedAt"] = pin.AcceptedAt is { } accepted ? Time(accepted) : null,
            ["definition"] = JsonNode.Parse(pin.Pinned.Definition),
            ["changed"] = pin.Changed is { } changed ? Changed(pin, changed) : null,
        };
    }

    private static JsonObject Changed(PinRecord pin, PinnedDefinition changed)
    {
        var diff = DefinitionDiff.Between(pin.Pinned, changed);
        return new JsonObject
        {
            ["fingerprint"] = changed.Fingerprint,
            ["changedAt"] = pin.ChangedAt is { } at ? Time(at) : null,
            ["definition"] = JsonNode.Parse(changed.Definition),
            ["diff"] = new JsonArray([.. diff.Changes.Select(c => (JsonNode)new JsonObject
            {
                ["path"] = c.Path,
                ["kind"] = c.Kind.ToString().ToLowerInvariant(),
                ["before"] = c.Before,
                ["after"] = c.After,
            })]),

            // The diff lists the first DefinitionDiff.MaxDescribed changes; this many more were counted.
            ["moreChanges"] = diff.Omitted,
        };
    }

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
}
