using System.Security.Cryptography;

namespace McpWarden.Gateway.Fronts.Http;

/// <summary>
/// Checks the admin API's bearer token against the SHA-256 the configuration keeps (never the token itself),
/// in constant time. Without a configured token the admin API admits no one.
/// </summary>
public sealed class AdminAuthenticator
{
    private readonly Func<byte[]?> _tokenSha256;

    /// <param name="tokenSha256">The configured hash, read per request so that a reload applies at once.</param>
    public AdminAuthenticator(Func<byte[]?> tokenSha256) => _tokenSha256 = tokenSha256;

    /// <summary>Null when the request carries the admin token; otherwise why it is refused.</summary>
    public string? Refusal(string? authorization)
    {
        if (_tokenSha256() is not { } expected)
        {
            return "this gateway has no admin token; create one with: mcpwarden admin token --config FILE";
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        if (!BearerToken.TryHash(authorization, hash))
        {
            return "the admin API needs the admin token: send Authorization: Bearer TOKEN";
        }

        return CryptographicOperations.FixedTimeEquals(hash, expected) ? null : "the token is not this gateway's admin token";
    }
}
