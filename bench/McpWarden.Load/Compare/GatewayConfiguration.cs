using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using McpWarden.BenchKit;

namespace McpWarden.Load.Compare;

/// <summary>
/// The configuration (b) and (c) run under (docs/configuration.md): the fixture as server <c>bench</c>, reached over
/// HTTP or started over stdio, one grant, the embedded SQLite store beside the file, everything else at its default
/// (audit on, pinning on, the poisoning scan on).
/// </summary>
internal static class GatewayConfiguration
{
    public const string Server = "bench";

    /// <summary>The grant's key; made up per run, never secret.</summary>
    public const string Key = "bench-load-key";

    /// <summary>Writes <c>mcpwarden.json</c> into <paramref name="directory"/> and returns its path.</summary>
    /// <param name="upstream">The fixture's URL for (b); null starts it over stdio for (c).</param>
    /// <param name="policy">The policy's JSON text.</param>
    public static string Write(string directory, string fixtureDll, Uri? upstream, string policy)
    {
        var reach = upstream is null
            ? $"\"command\": \"dotnet\", \"args\": [{JsonSerializer.Serialize(fixtureDll)}, \"stdio\"]"
            : $"\"url\": {JsonSerializer.Serialize(upstream.ToString())}, \"type\": \"http\"";
        var path = Path.Combine(directory, "mcpwarden.json");
        File.WriteAllText(path, $$"""
            {
              "mcpServers": {
                "{{Server}}": { {{reach}}, "policy": {{policy}} }
              },
              "grants": {
                "bench-agent": { "keySha256": "{{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key)))}}", "servers": ["{{Server}}"] }
              },
              "store": { "path": "mcpwarden.db" }
            }
            """);
        return path;
    }

    /// <summary>
    /// A policy that refuses most calls (echo limited to 5 calls a second, globally), for the self-check that a refused
    /// call fails the run.
    /// </summary>
    public static string RefusingPolicy() =>
        GeneratedPolicies.EchoUnderLimits(50).Replace("\"max\":10000000", "\"max\":5", StringComparison.Ordinal);
}
