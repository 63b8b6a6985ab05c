using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using McpWarden.Gateway.Configuration;

namespace McpWarden.Gateway.Fronts.Http;

/// <summary>
/// Who is calling: the grant whose key the request carries as <c>Authorization: Bearer KEY</c>, found by the
/// key's SHA-256 (the only form in which keys are kept). With no grants configured, every caller is the
/// grant <c>local</c> (and the gateway listens on loopback only). Built on the live configuration, it reads
/// the grants in force at each request, so a reload that adds, changes or removes a grant applies to the next one.
/// </summary>
public sealed class GrantAuthenticator
{
    /// <summary>The caller when no grants are configured.</summary>
    public const string LocalGrant = "local";

    private readonly Func<IReadOnlyList<GrantDefinition>> _grants;
    private Keys? _keys;

    public GrantAuthenticator(IReadOnlyList<GrantDefinition> grants)
    {
        ArgumentNullException.ThrowIfNull(grants);
        _grants = () => grants;
    }

    public GrantAuthenticator(LiveConfiguration live)
    {
        ArgumentNullException.ThrowIfNull(live);
        _grants = () => live.Current.Grants;
    }

    /// <summary>True when callers must present a grant's key.</summary>
    public bool RequiresKeys => ByKeyHash().Count > 0;

    /// <summary>The calling grant's name, or null when the request may not reach <paramref name="server"/> (null: any server).</summary>
    public string? Authenticate(string? authorization, string? server)
    {
        var byKeyHash = ByKeyHash();
        if (byKeyHash.Count == 0)
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
        if (!byKeyHash.TryGetValue(Convert.ToHexStringLower(hash), out var grant))
        {
            return null;
        }

        return server is null || grant.Servers is null || grant.Servers.Contains(server, StringComparer.Ordinal) ? grant.Name : null;
    }

    /// <summary>The grants in force by their key's hash, indexed again only when a reload replaced them.</summary>
    private FrozenDictionary<string, GrantDefinition> ByKeyHash()
    {
        var grants = _grants();
        var keys = Volatile.Read(ref _keys);
        if (keys is null || !ReferenceEquals(keys.Grants, grants))
        {
            keys = new Keys(grants, grants.ToFrozenDictionary(g => Convert.ToHexStringLower(g.KeySha256), StringComparer.Ordinal));
            Volatile.Write(ref _keys, keys);
        }

        return keys.ByKeyHash;
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

    private sealed record Keys(IReadOnlyList<GrantDefinition> Grants, FrozenDictionary<string, GrantDefinition> ByKeyHash);
}
