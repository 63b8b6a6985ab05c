using McpWarden.BenchKit;
using McpWarden.Load.Measuring;

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
    public static string Write(string directory, Uri? httpUpstream, string fixtureDll) =>
        GatewayConfigFile.Write(
            Path.Combine(directory, "mcpwarden.json"),
            Server,
            httpUpstream is null ? GatewayConfigFile.StdioUpstream("dotnet", [fixtureDll, "stdio"]) : GatewayConfigFile.HttpUpstream(httpUpstream),
            httpUpstream is null ? 60 : 10,
            Policy(50),
            ("bench", Key),
            "mcpwarden.db");

    private static string Policy(int rules) =>
        GeneratedPolicies.Realistic(rules, 2, """
            "test_simple_text":{"arguments":{"type":"object","additionalProperties":false},"limits":[
              {"counter":"text_per_grant","window":60,"max":1000000000,"scope":"grant"},
              {"counter":"text_per_session","window":1,"max":1000000,"scope":"session"}]},
            "test_error_handling":{"action":"deny","reason":"not for agents"}
            """);
}
