using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace McpWarden.Tests.Gateway;

/// <summary>
/// A configuration fronting the fixture server (its risky tools, over stdio) as the server <c>payments</c>,
/// with an admin token, and the fixture's call log: what the fixture ran is what the gateway let through.
/// </summary>
internal sealed class FixtureGateway
{
    public const string AdminToken = "admin-token-for-tests";

    public FixtureGateway(string directory, string policy, string extraFields = "")
    {
        CallLog = Path.Combine(directory, "calls.jsonl");
        Configuration = Path.Combine(directory, "mcpwarden.json");
        File.WriteAllText(Configuration, $$"""
            {
              "mcpServers": { "payments": {
                "command": "dotnet", "args": [{{JsonSerializer.Serialize(EndToEnd.Fixture)}}, "stdio"],
                "env": { "FIXTURE_CALL_LOG": {{JsonSerializer.Serialize(CallLog)}} },
                "policy": {{policy}} } },
              {{extraFields}}
              "admin": { "tokenSha256": "{{Sha256(AdminToken)}}" }
            }
            """);
    }

    public string Configuration { get; }

    public string CallLog { get; }

    /// <summary>The tool calls the fixture ran, in order, with their arguments.</summary>
    public IReadOnlyList<JsonElement> CallsReceived() =>
        File.Exists(CallLog) ? [.. File.ReadAllLines(CallLog).Select(line => JsonDocument.Parse(line).RootElement.Clone())] : [];

    public static string Sha256(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
