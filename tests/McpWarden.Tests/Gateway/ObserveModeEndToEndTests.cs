using System.Net;
using System.Text.Json;
using Xunit;

namespace McpWarden.Tests.Gateway;

/// <summary>
/// A server in observe mode on the real <c>mcpwarden serve</c>: every decision is made, counted and audited as
/// in enforcement, and nothing is refused or hidden.
/// </summary>
public sealed class ObserveModeEndToEndTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-observe-").FullName;
    private readonly McpHttpExchange _mcp = new();

    public void Dispose()
    {
        _mcp.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static string Call(int id, string tool, string arguments) =>
        $$$"""{"jsonrpc":"2.0","id":{{{id}}},"method":"tools/call","params":{"name":"{{{tool}}}","arguments":{{{arguments}}}}}""";

    [Fact]
    public async Task ObservedServer_ForwardsWhatItWouldRefuse_AndAuditsWhatItWouldHaveDone()
    {
        const string Policy = """
            { "version": "1", "default": "deny", "tools": {
                "run_workflow": { "rate_limit": { "max": 1, "window": 60 } },
                "mpesa_stk_push": { "action": "approve" },
                "get_balance": {} } }
            """;
        var fixture = new FixtureGateway(_directory, Policy);
        File.WriteAllText(fixture.Configuration, File.ReadAllText(fixture.Configuration).Replace("\"policy\":", "\"mode\": \"observe\", \"policy\":", StringComparison.Ordinal));
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        using var admin = new AdminClient(gateway.BaseUrl);
        var endpoint = gateway.Endpoint("payments");
        var session = await _mcp.InitializeAsync(endpoint);

        // Nothing is hidden: the default-deny tools are listed too.
        var list = await _mcp.PostAsync(endpoint, """{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", session);
        var names = list.Last.GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Contains("delete_records", names);

        var deleted = await _mcp.PostAsync(endpoint, Call(2, "delete_records", """{"table":"customers","ids":[1]}"""), session);
        Assert.False(deleted.Last.GetProperty("result").TryGetProperty("isError", out var deleteError) && deleteError.GetBoolean(), deleted.Last.ToString());
        await _mcp.PostAsync(endpoint, Call(3, "run_workflow", """{"workflow_id":"kyc"}"""), session);
        await _mcp.PostAsync(endpoint, Call(4, "run_workflow", """{"workflow_id":"kyc"}"""), session);
        var paid = await _mcp.PostAsync(endpoint, Call(5, "mpesa_stk_push", """{"phone":"254712345678","amount":10,"account_reference":"A"}"""), session);
        Assert.Equal(HttpStatusCode.OK, paid.Status);

        Assert.Equal(["delete_records", "run_workflow", "run_workflow", "mpesa_stk_push"], fixture.CallsReceived().Select(c => c.GetProperty("tool").GetString()!).ToArray());

        var records = await admin.AuditAsync("?server=payments", r => r.Length == 4 && r.All(x => x.GetProperty("outcome").ValueKind == JsonValueKind.String));
        var byOrder = records.Reverse().Select(r => (r.GetProperty("tool").GetString(), r.GetProperty("decision").GetString(), r.GetProperty("code").GetString(), r.GetProperty("mode").GetString(), r.GetProperty("outcome").GetString())).ToArray();
        Assert.Equal(
            [
                ("delete_records", "deny", "default_deny", "observe", "ok"),
                ("run_workflow", "allow", "allowed", "observe", "ok"),
                ("run_workflow", "deny", "rate_limited", "observe", "ok"),
                ("mpesa_stk_push", "hold", "approval_required", "observe", "ok"),
            ],
            byOrder);
    }
}
