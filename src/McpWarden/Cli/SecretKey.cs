using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace McpWarden.Cli;

/// <summary>
/// A new secret (a grant's key, the admin token) and the SHA-256 that is all the configuration keeps of it.
/// 256 random bits, written as a recognisable prefix and base64url, so that a leaked key is easy to spot in a
/// log or a repository and easy to paste into a header.
/// </summary>
internal sealed record SecretKey(string Value, string Sha256)
{
    /// <summary>What every grant key starts with.</summary>
    public const string GrantPrefix = "mcpw_";

    /// <summary>What the admin token starts with: it is told apart from a grant key at a glance.</summary>
    public const string AdminPrefix = "mcpwadmin_";

    private const int RandomBytes = 32;

    public static SecretKey Create(string prefix)
    {
        Span<byte> random = stackalloc byte[RandomBytes];
        RandomNumberGenerator.Fill(random);
        var value = prefix + Base64Url.EncodeToString(random);
        CryptographicOperations.ZeroMemory(random);
        return new SecretKey(value, HashOf(value));
    }

    /// <summary>The lower-case hexadecimal SHA-256 of the key's UTF-8 bytes: what the gateway compares a presented key against.</summary>
    public static string HashOf(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    // The record's generated ToString would print the secret into whatever logs or formats it.
    public override string ToString() => $"SecretKey {{ Sha256 = {Sha256} }}";
}
