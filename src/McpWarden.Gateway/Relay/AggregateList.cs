using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace McpWarden.Gateway.Relay;

/// <summary>
/// A list the aggregated session merges from every server: tools and prompts are renamed
/// <c>{server}__{name}</c>, so they can never collide; resources and templates keep their URIs, so the first
/// configured server to list one owns it and a later server's entry for it is left out.
/// </summary>
/// <param name="Capability">The capability a server declares when it answers this list.</param>
/// <param name="ItemsKey">The result's array of items.</param>
/// <param name="IdentityKey">What names an item: the part renamed, or the part that must not repeat.</param>
/// <param name="Prefixed">Whether items are renamed with their server's prefix.</param>
internal sealed record AggregateList(string Method, string Capability, string ItemsKey, string IdentityKey, bool Prefixed)
{
    public static AggregateList Tools { get; } = new(RequestMethods.ToolsList, "tools", "tools", "name", Prefixed: true);

    public static AggregateList Prompts { get; } = new(RequestMethods.PromptsList, "prompts", "prompts", "name", Prefixed: true);

    public static AggregateList Resources { get; } = new(RequestMethods.ResourcesList, "resources", "resources", "uri", Prefixed: false);

    public static AggregateList ResourceTemplates { get; } = new(RequestMethods.ResourcesTemplatesList, "resources", "resourceTemplates", "uriTemplate", Prefixed: false);

    /// <summary>The identity of an item (its name or URI), or null when it has none and cannot be listed.</summary>
    public string? IdentityOf(JsonObject item) =>
        item[IdentityKey] is JsonValue value && value.TryGetValue<string>(out var identity) ? identity : null;

    /// <summary>
    /// One list from every server's items, in configured order. <paramref name="duplicate"/> hears of each item
    /// left out because an earlier server listed the same URI: (server, URI, owner).
    /// </summary>
    public JsonArray Merge(IEnumerable<(string Server, IReadOnlyList<JsonObject> Items)> listed, Action<string, string, string> duplicate)
    {
        ArgumentNullException.ThrowIfNull(listed);
        ArgumentNullException.ThrowIfNull(duplicate);
        var merged = new JsonArray();
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (server, items) in listed)
        {
            foreach (var original in items)
            {
                if (IdentityOf(original) is not { } identity)
                {
                    continue;
                }

                var item = (JsonObject)original.DeepClone();
                if (Prefixed)
                {
                    item[IdentityKey] = AggregateNames.Prefixed(server, identity);
                }
                else if (!owners.TryAdd(identity, server) && owners[identity] != server)
                {
                    duplicate(server, identity, owners[identity]);
                    continue;
                }

                merged.Add(item);
            }
        }

        return merged;
    }
}
