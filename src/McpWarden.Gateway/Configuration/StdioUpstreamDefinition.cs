namespace McpWarden.Gateway.Configuration;

/// <summary>A server the gateway starts as a child process and speaks to over stdin/stdout.</summary>
/// <param name="Environment">The configured <c>env</c> only; the process gets these on top of a documented safe base, never the gateway's own environment.</param>
/// <param name="WorkingDirectory">Where the process starts; the configuration file's directory unless <c>cwd</c> says otherwise.</param>
public sealed record StdioUpstreamDefinition(
    string Command,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory) : UpstreamDefinition
{
    /// <summary>
    /// One process for every session (<c>"shared": true</c>) instead of one per session: for servers that keep no
    /// state of a client's, where a process per conversation costs memory and start-up for nothing.
    /// </summary>
    public bool Shared { get; init; }
}
