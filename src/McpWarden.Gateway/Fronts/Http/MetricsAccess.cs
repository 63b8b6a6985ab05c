using System.Security.Cryptography;

namespace McpWarden.Gateway.Fronts.Http;

/// <summary>
/// Who may read <c>GET /metrics</c>. First the Host/Origin check every endpoint has. Then, with
/// <c>telemetry.metrics.tokenSha256</c> configured, only a request bearing that token (compared as SHA-256, in
/// constant time). Without one, the metrics are served on a gateway that listens on loopback only, and refused on
/// one that listens beyond it: server and tool names and traffic are not for anyone who can reach the port.
/// </summary>
public sealed class MetricsAccess
{
    private readonly OriginCheck _origins;
    private readonly bool _loopbackOnly;
    private readonly Func<byte[]?> _tokenSha256;

    /// <param name="loopbackOnly">True when the gateway listens only on loopback addresses.</param>
    /// <param name="tokenSha256">The configured hash, read per request so that a reload applies at once.</param>
    public MetricsAccess(OriginCheck origins, bool loopbackOnly, Func<byte[]?> tokenSha256)
    {
        _origins = origins;
        _loopbackOnly = loopbackOnly;
        _tokenSha256 = tokenSha256;
    }

    /// <summary>Null when the request may read the metrics; otherwise the HTTP status (401 or 403) and why not.</summary>
    public (int Status, string Reason)? Refusal(string? host, string? origin, string? authorization)
    {
        if (_origins.Refusal(host, origin) is { } hostRefusal)
        {
            return (403, hostRefusal);
        }

        if (_tokenSha256() is not { } expected)
        {
            return _loopbackOnly
                ? null
                : (403, "this gateway listens beyond loopback, so /metrics needs a token: set telemetry.metrics.tokenSha256 in the configuration and send Authorization: Bearer TOKEN");
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        if (!BearerToken.TryHash(authorization, hash))
        {
            return (401, "/metrics needs the metrics token: send Authorization: Bearer TOKEN");
        }

        return CryptographicOperations.FixedTimeEquals(hash, expected) ? null : (401, "the token is not this gateway's metrics token");
    }
}
