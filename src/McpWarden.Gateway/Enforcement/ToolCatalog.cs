using McpWarden.Policy.Evaluation;

namespace McpWarden.Gateway.Enforcement;

/// <summary>A server's tools as the gateway last saw them, and what it noticed while reading them.</summary>
/// <param name="Findings">Tools left out or refused, and schema keywords ignored, each in a sentence for the log and the catalogue.</param>
public sealed record ToolCatalog(ToolSnapshot Snapshot, IReadOnlyList<string> Findings)
{
    /// <summary>What vetting made of the listed tools (pins and scan); <see cref="VettedTools.None"/> when nothing vetted them.</summary>
    public VettedTools Vetted { get; init; } = VettedTools.None;
}
