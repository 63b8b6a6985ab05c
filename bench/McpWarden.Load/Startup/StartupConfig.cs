using McpWarden.BenchKit;
using McpWarden.Load.Measuring;

namespace McpWarden.Load.Startup;

/// <summary>
/// The configuration a desktop client would start <c>mcpwarden stdio</c> with: one stdio server (the fixture,
/// <c>dotnet mcpwarden-fixture.dll stdio</c>, or the instant server, <c>node instant-server.mjs</c>), a policy of
/// 50 rules shaped like a real one, and the SQLite store in the run's directory.
/// </summary>
internal static class StartupConfig
{
    public const string Server = "fixture";

    /// <summary>Writes <c>NAME.json</c> into <paramref name="directory"/>, serving the server started as <paramref name="command"/> <paramref name="arguments"/>, and returns its path.</summary>
    public static string Write(string directory, string name, string command, IReadOnlyList<string> arguments) =>
        GatewayConfigFile.Write(
            Path.Combine(directory, name + ".json"),
            Server,
            GatewayConfigFile.StdioUpstream(command, arguments),
            30,
            Policy(),
            grant: null,
            Path.Combine(directory, name + ".db"));

    /// <summary>
    /// 50 rules: the fixture's everyday tools allowed (one under two limits, one under a spend cap and an argument
    /// schema), a destructive one denied with a reason, and filler for tools the fixture does not have (one in ten a
    /// prefix pattern, one in five with a limit), as a policy written for several servers' worth of tools reads.
    /// </summary>
    public static string Policy() =>
        GeneratedPolicies.Realistic(50, 5, """
              "get_balance":{},
              "test_simple_text":{},
              "run_workflow":{"limits":[
                {"counter":"run_workflow_minute","window":"minute","max":1000000,"scope":"grant"},
                {"counter":"run_workflow_second","window":"second","max":1000000,"scope":"global"}]},
              "mpesa_stk_push":{
                "arguments":{"type":"object","properties":{"amount":{"type":"integer","minimum":1,"maximum":5000},"phone":{"type":"string","pattern":"^2547[0-9]{8}$"}}},
                "limits":[{"counter":"stk_push_total","window":"day","max":20000000,"cost":"amount","scope":"global"}]},
              "delete_records":{"action":"deny","reason":"records are deleted by the data team, never by an agent"}
            """);
}
