using System.Globalization;
using System.Text;
using McpWarden.Load.Measuring;

namespace McpWarden.Load.HotPath;

/// <summary>
/// The gateway's configuration for the hot-path run: the fixture over HTTP as server <c>echo</c>, one grant, and a
/// realistic policy — 50 rules, the called tool under two limits with headroom and an argument schema — over the
/// SQLite store (or none, with <c>--ephemeral</c>).
/// </summary>
internal static class HotPathPolicy
{
    public const string Server = "echo";
    public const string Key = "hotpath-key";
    public const string Tool = "run_workflow";

    /// <summary>The arguments of every call: valid under the rule's schema and the tool's own.</summary>
    public const string Arguments = """{"workflow_id":"wf-1","inputs":{"customer":"c-42","amount":125}}""";

    public static string Write(string directory, Uri upstream)
    {
        var filler = new StringBuilder();
        for (var i = 0; i < 48; i++)
        {
            filler.Append(CultureInfo.InvariantCulture, $"\n    \"filler_tool_{i}\": {{ \"action\": \"{(i % 3 == 0 ? "deny" : "allow")}\" }},");
        }

        var policy = $$"""
            {
              "version": "1",
              "default": "deny",
              "tools": {{{filler}}
                "get_balance": { "action": "allow" },
                "{{Tool}}": {
                  "arguments": {
                    "type": "object",
                    "properties": {
                      "workflow_id": { "type": "string", "pattern": "^wf-[0-9]+$", "maxLength": 32 },
                      "inputs": { "type": "object" }
                    },
                    "required": ["workflow_id"],
                    "additionalProperties": false
                  },
                  "limits": [
                    { "counter": "workflows_per_grant", "window": 60, "max": 100000000, "scope": "grant" },
                    { "counter": "workflows_global", "window": 1, "max": 1000000, "scope": "global" }
                  ]
                }
              }
            }
            """;
        return GatewayConfigFile.Write(Path.Combine(directory, "mcpwarden.json"), Server, GatewayConfigFile.HttpUpstream(upstream), timeoutSeconds: 10, policy, ("bench", Key), "mcpwarden.db");
    }
}
