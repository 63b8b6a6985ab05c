namespace McpWarden.Gateway.Configuration;

/// <summary>A server the gateway reaches at a URL.</summary>
/// <param name="Headers">Sent to the upstream on every request (its own credentials); the caller's are never forwarded.</param>
public sealed record HttpUpstreamDefinition(Uri Url, IReadOnlyDictionary<string, string> Headers, HttpUpstreamKind Kind) : UpstreamDefinition;
