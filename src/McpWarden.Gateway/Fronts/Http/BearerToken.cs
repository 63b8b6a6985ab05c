using System.Security.Cryptography;
using System.Text;

namespace McpWarden.Gateway.Fronts.Http;

/// <summary>
/// Reads the secret of an <c>Authorization: Bearer SECRET</c> header straight into its SHA-256, the only form
/// in which the gateway keeps grant keys and the admin token, so callers compare hashes and never hold the secret.
/// </summary>
internal static class BearerToken
{
    /// <summary>Longer values are not ours (keys and tokens are under 60 characters); they are refused before any hashing.</summary>
    public const int MaxLength = 4096;

    private const string Scheme = "Bearer ";

    /// <summary>Writes the secret's SHA-256 into <paramref name="hash"/>; false when the header carries no usable bearer secret.</summary>
    public static bool TryHash(string? authorization, Span<byte> hash)
    {
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var secret = authorization.AsSpan(Scheme.Length).Trim();
        if (secret.IsEmpty || secret.Length > MaxLength)
        {
            return false;
        }

        SHA256.HashData(Encoding.UTF8.GetBytes(secret.ToString()), hash);
        return true;
    }
}
