using McpWarden.Policy.Diagnostics;

namespace McpWarden.Gateway.Configuration;

/// <summary>A configuration loaded whole, or not at all: <see cref="Configuration"/> is null whenever any diagnostic is an error.</summary>
public sealed record ConfigurationLoadResult(GatewayConfiguration? Configuration, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool Succeeded => Configuration is not null;
}
