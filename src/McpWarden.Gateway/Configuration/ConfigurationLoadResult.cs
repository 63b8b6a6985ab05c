using McpWarden.Policy.Diagnostics;

namespace McpWarden.Gateway.Configuration;

/// <summary>A configuration loaded whole, or not at all: <see cref="Configuration"/> is null whenever any diagnostic is an error.</summary>
public sealed record ConfigurationLoadResult(GatewayConfiguration? Configuration, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool Succeeded => Configuration is not null;

    /// <summary>
    /// The files the load read or tried to read (absolute): the configuration, then each policy file it names.
    /// Known even when the load failed, so a watcher can wait for a missing policy file to appear.
    /// </summary>
    public IReadOnlyList<string> Files { get; init; } = [];
}
