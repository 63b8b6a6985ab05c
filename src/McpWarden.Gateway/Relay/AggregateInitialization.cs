using System.Reflection;
using System.Text.Json.Nodes;

namespace McpWarden.Gateway.Relay;

/// <summary>
/// The aggregated session's answer to <c>initialize</c>, made from the answers of the servers that initialized.
/// The gateway introduces itself (the client talks to no single server); it declares a feature when any server
/// has it, and only the features it can route (tools, prompts, resources, logging, completions): a method it
/// cannot attribute to one server is one it would have to refuse.
/// </summary>
internal static class AggregateInitialization
{
    /// <summary>The name in <c>serverInfo</c>.</summary>
    public const string ServerName = "mcpwarden";

    /// <summary>Features with the flags that are true when any server's is.</summary>
    private static readonly (string Feature, string[] Flags)[] Features =
    [
        ("tools", ["listChanged"]),
        ("prompts", ["listChanged"]),
        ("resources", ["subscribe", "listChanged"]),
        ("logging", []),
        ("completions", []),
    ];

    /// <summary>The gateway's version, without the build metadata.</summary>
    public static string Version { get; } =
        typeof(AggregateInitialization).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <param name="initialized">Each server that initialized, in configured order, with the result it answered.</param>
    public static JsonObject Merge(IReadOnlyList<(string Server, JsonObject Result)> initialized)
    {
        ArgumentNullException.ThrowIfNull(initialized);
        var result = new JsonObject
        {
            ["protocolVersion"] = OldestVersion(initialized),
            ["capabilities"] = MergeCapabilities(initialized.Select(i => i.Result["capabilities"] as JsonObject).ToArray()),
            ["serverInfo"] = new JsonObject { ["name"] = ServerName, ["version"] = Version },
        };

        var instructions = initialized
            .Where(i => i.Result["instructions"] is JsonValue text && text.TryGetValue<string>(out var value) && value.Length > 0)
            .Select(i => $"## {i.Server}\n\n{(string)i.Result["instructions"]!}")
            .ToArray();
        if (instructions.Length > 0)
        {
            result["instructions"] = string.Join("\n\n", instructions);
        }

        return result;
    }

    /// <summary>
    /// The oldest revision any server chose. Each server was asked for the client's revision (or the newest the
    /// gateway serves); where they differ, the oldest is the one every server understands, since later revisions
    /// add to earlier ones. The client then decides, as with any server, whether it speaks that revision.
    /// </summary>
    private static string OldestVersion(IReadOnlyList<(string Server, JsonObject Result)> initialized) =>
        initialized
            .Select(i => i.Result["protocolVersion"] is JsonValue value && value.TryGetValue<string>(out var version) ? version : null)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .FirstOrDefault() ?? ProtocolVersions.Newest;

    private static JsonObject MergeCapabilities(IReadOnlyList<JsonObject?> declared)
    {
        var merged = new JsonObject();
        foreach (var (feature, flags) in Features)
        {
            var having = declared.Select(c => c?[feature] as JsonObject).OfType<JsonObject>().ToArray();
            if (having.Length == 0)
            {
                continue;
            }

            var capability = new JsonObject();
            foreach (var flag in flags.Where(f => having.Any(h => h[f] is JsonValue value && value.TryGetValue<bool>(out var on) && on)))
            {
                capability[flag] = true;
            }

            merged[feature] = capability;
        }

        return merged;
    }
}
