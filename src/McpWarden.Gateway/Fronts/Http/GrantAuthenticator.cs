using System.Security.Cryptography;
using McpWarden.Gateway.Configuration;

namespace McpWarden.Gateway.Fronts.Http;

/// <summary>
/// Who is calling: the grant whose key the request carries as <c>Authorization: Bearer KEY</c>, recognised
/// by the key's SHA-256 (the only form in which keys are kept). With no grants configured, every caller is
/// the grant <c>local</c> (and the gateway listens on loopback only). Built on the live configuration, it reads
/// the grants in force at each request, so a reload that adds, changes or removes a grant applies to the next one.
/// </summary>
public sealed class GrantAuthenticator
{
    /// <summary>The caller when no grants are configured.</summary>
    public const string LocalGrant = "local";

    /// <summary>Longer values are not keys (ours are 48 characters); they are refused before any hashing.</summary>
    public const int MaxKeyLength = BearerToken.MaxLength;

    private readonly Func<IReadOnlyList<GrantDefinition>> _grants;

    public GrantAuthenticator(IReadOnlyList<GrantDefinition> grants)
    {
        ArgumentNullException.ThrowIfNull(grants);
        GrantDefinition[] fixedGrants = [.. grants];
        _grants = () => fixedGrants;
    }

    public GrantAuthenticator(LiveConfiguration live)
    {
        ArgumentNullException.ThrowIfNull(live);
        _grants = () => live.Current.Grants;
    }

    /// <summary>True when callers must present a grant's key.</summary>
    public bool RequiresKeys => _grants().Count > 0;

    /// <summary>
    /// The calling grant, and whether it may reach <paramref name="server"/> (null: the aggregated endpoint,
    /// which any grant may use for the servers it may reach).
    /// </summary>
    public GrantAuthentication Authenticate(string? authorization, string? server)
    {
        // One snapshot for the whole check: a reload mid-request cannot mix two sets of grants.
        var grants = _grants();
        if (grants.Count == 0)
        {
            return new GrantAuthentication(GrantAuthenticationOutcome.Authenticated, LocalGrant);
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        if (!BearerToken.TryHash(authorization, hash))
        {
            return new GrantAuthentication(GrantAuthenticationOutcome.MissingKey, null);
        }

        // INVARIANT: every grant's hash is compared, in constant time, whether or not an earlier one matched,
        // and nothing is looked up by a value derived from the key: how long this takes says nothing about
        // which grant, if any, the key belongs to, or how close a guess came.
        var found = -1;
        for (var i = 0; i < grants.Count; i++)
        {
            var equal = CryptographicOperations.FixedTimeEquals(hash, grants[i].KeySha256);
            found = equal && found < 0 ? i : found;
        }

        if (found < 0)
        {
            return new GrantAuthentication(GrantAuthenticationOutcome.UnknownKey, null);
        }

        var grant = grants[found];
        return server is null || grant.Servers is null || grant.Servers.Contains(server, StringComparer.Ordinal)
            ? new GrantAuthentication(GrantAuthenticationOutcome.Authenticated, grant.Name)
            : new GrantAuthentication(GrantAuthenticationOutcome.ServerNotAllowed, grant.Name);
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
