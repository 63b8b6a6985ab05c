using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using McpWarden.Gateway.Configuration;

namespace McpWarden.Gateway.Fronts.Http;

/// <summary>
/// Who is calling: the grant whose key the request carries as <c>Authorization: Bearer KEY</c>, found by the
/// key's SHA-256 (the only form in which keys are kept). With no grants configured, every caller is the
/// grant <c>local</c> (and the gateway listens on loopback only).
/// </summary>
public sealed class GrantAuthenticator
{
    /// <summary>The caller when no grants are configured.</summary>
    public const string LocalGrant = "local";

    private readonly FrozenDictionary<string, GrantDefinition> _byKeyHash;

    public GrantAuthenticator(IReadOnlyList<GrantDefinition> grants)
    {
        ArgumentNullException.ThrowIfNull(grants);
        _byKeyHash = grants.ToFrozenDictionary(g => Convert.ToHexStringLower(g.KeySha256), StringComparer.Ordinal);
    }

    /// <summary>True when callers must present a grant's key.</summary>
    public bool RequiresKeys => _byKeyHash.Count > 0;

    /// <summary>The calling grant's name, or null when the request may not reach <paramref name="server"/> (null: any server).</summary>
    public string? Authenticate(string? authorization, string? server)
    {
        if (!RequiresKeys)
        {
            return LocalGrant;
        }

        const string Scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var key = authorization.AsSpan(Scheme.Length).Trim();
        if (key.IsEmpty || key.Length > 4096)
        {
            return null;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString()), hash);
        if (!_byKeyHash.TryGetValue(Convert.ToHexStringLower(hash), out var grant))
        {
            return null;
        }

        return server is null || grant.Servers is null || grant.Servers.Contains(server, StringComparer.Ordinal) ? grant.Name : null;
    }

    /// <summary>The servers a grant may reach, of those configured.</summary>
    public static IReadOnlyList<ServerDefinition> ServersOf(string grant, GatewayConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var definition = configuration.Grants.FirstOrDefault(g => g.Name == grant);
        return definition?.Servers is { } allowed
            ? [.. configuration.Servers.Where(s => allowed.Contains(s.Name, StringComparer.Ordinal))]
            : configuration.Servers;
    }
}
