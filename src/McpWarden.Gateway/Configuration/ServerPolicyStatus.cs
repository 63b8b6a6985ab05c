namespace McpWarden.Gateway.Configuration;

/// <summary>One server's policy as it is in force: what <c>/healthz</c> and the admin API show of it.</summary>
/// <param name="Name">The server's name.</param>
/// <param name="PolicySource">The policy file, or the JSON path of an inline policy.</param>
/// <param name="PolicyRevision">The SHA-256 of the policy's canonical JSON: it changes exactly when what the policy says changes.</param>
/// <param name="Mode">Whether the policy refuses calls or only observes them.</param>
/// <param name="Since">When this revision of the policy came into force.</param>
public sealed record ServerPolicyStatus(string Name, string PolicySource, string PolicyRevision, EnforcementMode Mode, DateTimeOffset Since);
