using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace McpWarden.Load.Sessions;

/// <summary>
/// The gateway's configuration for the run: the fixture as server <c>fixture</c> (over HTTP, or started per
/// session over stdio), one grant, the SQLite store, and a policy of 50 rules shaped like a real one (mostly
/// exact names, some prefix patterns, some limits; <c>test_simple_text</c> under two limits and a schema).
/// </summary>
internal static class SessionsConfiguration
{
    public const string Server = "fixture";

    /// <summary>The grant's key; made up per run, never secret.</summary>
    public const string Key = "sessions-bench-key";

    /// <param name="httpUpstream">The fixture's endpoint; null starts it per session over stdio (given a minute to start, as a busy machine may need).</param>
    public static string Write(string directory, Uri? httpUpstream, string fixtureDll)
    {
        var upstream = httpUpstream is not null
            ? $"\"url\": {JsonSerializer.Serialize(httpUpstream.ToString())}, \"type\": \"http\""
            : $"\"command\": \"dotnet\", \"args\": [{JsonSerializer.Serialize(fixtureDll)}, \"stdio\"]";
        var path = Path.Combine(directory, "mcpwarden.json");
        File.WriteAllText(path, $$"""
            {
              "mcpServers": {
                "{{Server}}": {
                  {{upstream}}, "timeout": {{(httpUpstream is null ? 60 : 10)}},
                  "policy": {{Policy(50)}}
                }
              },
              "grants": {
                "bench": { "keySha256": "{{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key)))}}", "servers": ["{{Server}}"] }
              },
              "store": { "path": "mcpwarden.db" }
            }
            """);
        return path;
    }

    private static string Policy(int rules)
    {
        var builder = new StringBuilder("""{"version":"1","default":"deny","tools":{""");
        builder.Append("""
            "test_simple_text":{"arguments":{"type":"object","additionalProperties":false},"limits":[
              {"counter":"text_per_grant","window":60,"max":1000000000,"scope":"grant"},
              {"counter":"text_per_session","window":1,"max":1000000,"scope":"session"}]},
            "test_error_handling":{"action":"deny","reason":"not for agents"}
            """);
        for (var i = 2; i < rules; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            builder.Append(',');
            if (i % 10 == 0)
            {
                builder.Append("\"ns").Append(n).Append("_*\":{}");
            }
            else if (i % 5 == 0)
            {
                builder.Append("\"tool_").Append(n).Append("\":{\"limits\":[{\"counter\":\"c").Append(n).Append("\",\"window\":60,\"max\":100}]}");
            }
            else
            {
                builder.Append("\"tool_").Append(n).Append("\":{\"action\":\"").Append(i % 3 == 0 ? "deny" : "allow").Append("\"}");
            }
        }

        return builder.Append("}}").ToString();
    }
}
