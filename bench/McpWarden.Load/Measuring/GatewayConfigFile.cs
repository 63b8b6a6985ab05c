using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace McpWarden.Load.Measuring;

/// <summary>
/// Writes the <c>mcpwarden.json</c> a load command starts the gateway with (docs/configuration.md): one server,
/// reached over HTTP or started over stdio, under one policy, at most one grant, and the SQLite store; everything
/// else at its default (audit on, pinning on, the poisoning scan on), as a deployment would run it.
/// </summary>
internal static class GatewayConfigFile
{
    /// <summary>The <c>mcpServers</c> entry's way to the server: its Streamable HTTP endpoint.</summary>
    public static string HttpUpstream(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return $"\"url\": {JsonSerializer.Serialize(endpoint.ToString())}, \"type\": \"http\"";
    }

    /// <summary>The <c>mcpServers</c> entry's way to the server: a child process started per session.</summary>
    public static string StdioUpstream(string command, IReadOnlyList<string> arguments, bool shared = false) =>
        $"\"command\": {JsonSerializer.Serialize(command)}, \"args\": {JsonSerializer.Serialize(arguments)}" + (shared ? ", \"shared\": true" : "");

    /// <summary>Writes the file at <paramref name="path"/> and returns the path.</summary>
    /// <param name="upstream">From <see cref="HttpUpstream"/> or <see cref="StdioUpstream"/>.</param>
    /// <param name="timeoutSeconds">The server's timeout; null keeps the gateway's default.</param>
    /// <param name="grant">The one grant, by name and key (made up per run, never secret); null for none, as the stdio front needs none.</param>
    /// <param name="storePath">The SQLite file; a relative path is beside the configuration file.</param>
    public static string Write(string path, string server, string upstream, int? timeoutSeconds, string policy, (string Name, string Key)? grant, string storePath)
    {
        var timeout = timeoutSeconds is { } seconds ? $", \"timeout\": {seconds}" : "";
        var grants = grant is var (name, key)
            ? $$"""
                ,
                  "grants": {
                    {{JsonSerializer.Serialize(name)}}: { "keySha256": "{{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))}}", "servers": [{{JsonSerializer.Serialize(server)}}] }
                  }
                """
            : "";
        File.WriteAllText(path, $$"""
            {
              "mcpServers": {
                {{JsonSerializer.Serialize(server)}}: { {{upstream}}{{timeout}}, "policy": {{policy}} }
              }{{grants}},
              "store": { "path": {{JsonSerializer.Serialize(storePath)}} }
            }
            """);
        return path;
    }
}
