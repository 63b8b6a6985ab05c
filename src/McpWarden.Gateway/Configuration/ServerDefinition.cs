using McpWarden.Policy.Compilation;

namespace McpWarden.Gateway.Configuration;

/// <summary>One entry of <c>mcpServers</c>: how to reach the server, and the policy every call to it passes.</summary>
/// <param name="Name">The name in the URL (<c>/mcp/{name}</c>) and in aggregated tool names (<c>{name}__{tool}</c>).</param>
/// <param name="PolicySource">Where the policy came from: a file path, or the JSON path of an inline policy.</param>
/// <param name="RequestTimeout">How long one request to the server may take before it is cancelled.</param>
public sealed record ServerDefinition(
    string Name,
    UpstreamDefinition Upstream,
    CompiledPolicy Policy,
    string PolicySource,
    EnforcementMode Mode,
    TimeSpan RequestTimeout)
{
    /// <summary>Whether tool definitions are pinned on first sight and changes held for a person (<c>"pin"</c>, default true).</summary>
    public bool Pinning { get; init; } = true;

    /// <summary>What happens to a tool the poisoning scan flags (<c>"scan"</c>, default hide).</summary>
    public ScanAction Scan { get; init; } = ScanAction.Hide;

    /// <summary>
    /// The policy file's absolute path when the policy is a file of its own; null for an inline policy or the
    /// default one. <see cref="PolicySource"/> cannot tell them apart (both are paths starting with a slash).
    /// </summary>
    public string? PolicyFile { get; init; }
}
