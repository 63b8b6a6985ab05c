using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace McpWarden.Soak;

/// <summary>
/// The configuration the gateway runs under: the fixture over HTTP as server <c>payments</c>, four grants, and a
/// policy with a tool of each kind — allowed, denied by rule, denied by default, limited per grant, per session
/// and globally, and one under a spend cap. The limits here are also what <see cref="LimitCheck"/> holds the
/// answers to.
/// </summary>
internal static class SoakPolicy
{
    public const string Server = "payments";
    public const int Grants = 4;
    public const string DeleteReason = "agents never delete records";

    public static readonly LimitDefinition WorkflowsPerGrant = new("workflows_per_grant", "/tools/run_workflow/limits/0", WindowSeconds: 10, Max: 30, LimitScope.Grant, CostArgument: null);
    public static readonly LimitDefinition PushesPerSession = new("pushes_per_session", "/tools/mpesa_stk_push/limits/0", WindowSeconds: 60, Max: 5, LimitScope.Session, CostArgument: null);
    public static readonly LimitDefinition SpendGlobal = new("spend", "/tools/mpesa_stk_push/limits/1", WindowSeconds: 60, Max: 100_000, LimitScope.Global, CostArgument: "amount");
    public static readonly LimitDefinition TextGlobal = new("text_global", "/tools/test_simple_text/limits/0", WindowSeconds: 1, Max: 25, LimitScope.Global, CostArgument: null);

    public static IReadOnlyList<LimitDefinition> Limits { get; } = [WorkflowsPerGrant, PushesPerSession, SpendGlobal, TextGlobal];

    /// <summary>The key a client of grant <paramref name="grant"/> presents; made up per run, never secret.</summary>
    public static string KeyOf(int grant) => $"soak-key-{grant}";

    public static string GrantName(int grant) => $"agent-{grant}";

    /// <summary>Writes the configuration file for a fixture listening at <paramref name="upstream"/>.</summary>
    /// <param name="broken">
    /// Write a policy that breaks what the clients check (delete_records allowed, ten times the global text limit):
    /// the run must then fail, which proves that its checks can.
    /// </param>
    public static string Write(string directory, Uri upstream, bool broken)
    {
        var deleteRule = broken ? "{ \"action\": \"allow\" }" : $"{{ \"action\": \"deny\", \"reason\": \"{DeleteReason}\" }}";
        var textLimit = broken ? TextGlobal with { Max = TextGlobal.Max * 10 } : TextGlobal;
        var grants = string.Join(",\n", Enumerable.Range(0, Grants).Select(g =>
            $"    \"{GrantName(g)}\": {{ \"keySha256\": \"{Sha256Hex(KeyOf(g))}\", \"servers\": [\"{Server}\"] }}"));
        var path = Path.Combine(directory, "mcpwarden.json");
        File.WriteAllText(path, $$"""
            {
              "mcpServers": {
                "{{Server}}": {
                  "url": {{JsonSerializer.Serialize(upstream.ToString())}}, "type": "http", "timeout": 10,
                  "policy": {
                    "version": "1",
                    "default": "deny",
                    "tools": {
                      "get_balance": { "action": "allow" },
                      "delete_records": {{deleteRule}},
                      "run_workflow": { "limits": [ {{Limit(WorkflowsPerGrant)}} ] },
                      "mpesa_stk_push": { "limits": [ {{Limit(PushesPerSession)}}, {{Limit(SpendGlobal)}} ] },
                      "test_simple_text": { "limits": [ {{Limit(textLimit)}} ] }
                    }
                  }
                }
              },
              "grants": {
            {{grants}}
              },
              "store": { "path": "mcpwarden.db" }
            }
            """);
        return path;
    }

    private static string Limit(LimitDefinition limit) =>
        $"{{ \"counter\": \"{limit.Counter}\", \"window\": {limit.WindowSeconds}, \"max\": {limit.Max}, \"scope\": \"{limit.Scope.ToString().ToLowerInvariant()}\""
        + (limit.CostArgument is null ? "" : $", \"cost\": \"{limit.CostArgument}\"") + " }";

    private static string Sha256Hex(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
