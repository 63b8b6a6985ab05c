namespace McpWarden.Gateway.Configuration;

/// <summary>A whole configuration file, validated: servers with their compiled policies, grants, admin token and store.</summary>
/// <param name="Path">The configuration file (absolute); relative paths in it are relative to its directory.</param>
/// <param name="AdminTokenSha256">The SHA-256 of the admin API token, when one is configured.</param>
public sealed record GatewayConfiguration(
    string Path,
    IReadOnlyList<ServerDefinition> Servers,
    IReadOnlyList<GrantDefinition> Grants,
    byte[]? AdminTokenSha256,
    StoreDefinition Store)
{
    /// <summary>The largest message a client may send, in bytes.</summary>
    public int MaxMessageBytes { get; init; } = Fronts.MessageScreening.DefaultMaxMessageBytes;

    /// <summary>What the audit log keeps of arguments, and which member names are secrets.</summary>
    public Audit.AuditSettings Audit { get; init; } = McpWarden.Gateway.Audit.AuditSettings.Default;

    /// <summary>OTLP export and the <c>/metrics</c> token.</summary>
    public TelemetryDefinition Telemetry { get; init; } = TelemetryDefinition.None;
}
