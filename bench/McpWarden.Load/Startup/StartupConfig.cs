using System.Globalization;
using System.Text;
using System.Text.Json;

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
    public static string Write(string directory, string name, string command, IReadOnlyList<string> arguments)
    {
        var path = Path.Combine(directory, name + ".json");
        File.WriteAllText(path, $$"""
            {
              "mcpServers": {
                "{{Server}}": {
                  "command": {{JsonSerializer.Serialize(command)}},
                  "args": {{JsonSerializer.Serialize(arguments)}},
                  "timeout": 30,
                  "policy": {{Policy()}}
                }
              },
              "store": { "path": {{JsonSerializer.Serialize(Path.Combine(directory, name + ".db"))}} }
            }
            """);
        return path;
    }

    /// <summary>
    /// 50 rules: the fixture's everyday tools allowed (one under two limits, one under a spend cap and an argument
    /// schema), a destructive one denied with a reason, and filler for tools the fixture does not have (one in ten a
    /// prefix pattern, one in five with a limit), as a policy written for several servers' worth of tools reads.
    /// </summary>
    public static string Policy()
    {
        var builder = new StringBuilder("""
            {"version":"1","default":"deny","tools":{
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
        for (var i = 5; i < 50; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            builder.Append(",\n  ");
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
