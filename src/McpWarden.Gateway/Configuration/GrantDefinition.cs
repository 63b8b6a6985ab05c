namespace McpWarden.Gateway.Configuration;

/// <summary>A credential that may call the gateway: only the SHA-256 of its key is stored.</summary>
/// <param name="KeySha256">The SHA-256 of the key (32 bytes); the key itself is shown once when the grant is made.</param>
/// <param name="Servers">The servers it may reach; null means every configured server.</param>
public sealed record GrantDefinition(string Name, byte[] KeySha256, IReadOnlyList<string>? Servers);
