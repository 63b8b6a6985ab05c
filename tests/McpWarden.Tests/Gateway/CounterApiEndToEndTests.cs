using System.Net;
using System.Text.Json;
using Xunit;

namespace McpWarden.Tests.Gateway;

/// <summary>
/// <c>GET /api/counters</c> and <c>GET /api/audit/{id}</c> on the real <c>mcpwarden serve</c>: budgets spent by
/// real calls through the gateway, explained by the policy in force, and still shown once a reload drops them.
/// </summary>
public sealed class CounterApiEndToEndTests : IDisposable
{
    private const string Phone = "254712345678";

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-counters-").FullName;
    private readonly McpHttpExchange _mcp = new();

    public void Dispose()
    {
        _mcp.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    // The balance query shares the STK counter, so one budget is counted by two tools.
    private const string Policy = """
        { "version": "1", "default": "deny", "tools": {
            "mpesa_stk_push": { "limits": [ { "counter": "stk", "window": "minute", "max": 3 } ] },
            "get_balance":    { "limits": [ { "counter": "stk", "window": 60, "max": 3 } ] },
            "b2c_payment":    { "limits": [ { "counter": "b2c_spend", "window": 3600, "max": 5000, "scope": "global", "by": "phone", "cost": "amount" } ] } } }
        """;

    private static string Call(int id, string tool, string arguments) =>
        $$$"""{"jsonrpc":"2.0","id":{{{id}}},"method":"tools/call","params":{"name":"{{{tool}}}","arguments":{{{arguments}}}}}""";

    private const string StkPush = """{"phone":"254712345678","amount":10,"account_reference":"INV-1"}""";

    /// <summary>The policy's reason code for a refused call, or null when the call went through.</summary>
    private static string? RefusalCode(McpHttpAnswer answer)
    {
        var result = answer.Last.GetProperty("result");
        return result.TryGetProperty("_meta", out var meta) && meta.TryGetProperty("mcpwarden/policy", out var policy)
            ? policy.GetProperty("code").GetString()
            : null;
    }

    private static JsonElement Budget(JsonElement counters, string counter) =>
        Assert.Single(counters.EnumerateArray(), c => c.GetProperty("counter").GetString() == counter);

    [Fact]
    public async Task Counters_AfterRealCalls_ShowEachBudgetsUseAgainstThePolicysMaxAndWindow_AndEachAuditRecordOpensById()
    {
        var fixture = new FixtureGateway(_directory, Policy);
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        using var admin = new AdminClient(gateway.BaseUrl);
        var endpoint = gateway.Endpoint("payments");
        var session = await _mcp.InitializeAsync(endpoint);

        var (emptyStatus, empty) = await admin.GetAsync("/api/counters");
        Assert.Equal((HttpStatusCode.OK, 0), (emptyStatus, empty.GetArrayLength()));

        Assert.Null(RefusalCode(await _mcp.PostAsync(endpoint, Call(1, "mpesa_stk_push", StkPush), session)));
        Assert.Null(RefusalCode(await _mcp.PostAsync(endpoint, Call(2, "get_balance", "{}"), session)));
        Assert.Null(RefusalCode(await _mcp.PostAsync(endpoint, Call(3, "b2c_payment", $$"""{"amount":1200,"phone":"{{Phone}}"}"""), session)));

        var (status, counters) = await admin.GetAsync("/api/counters");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, counters.GetArrayLength());

        var stk = Budget(counters, "stk");
        Assert.Equal(("payments", "grant", "local", JsonValueKind.Null), (stk.GetProperty("server").GetString(), stk.GetProperty("scope").GetString(), stk.GetProperty("owner").GetString(), stk.GetProperty("partition").ValueKind));
        Assert.Equal((2m, 3m, 0.6667, "minute", 60m), (stk.GetProperty("used").GetDecimal(), stk.GetProperty("max").GetDecimal(), stk.GetProperty("fraction").GetDouble(), stk.GetProperty("window").GetString(), stk.GetProperty("windowSeconds").GetDecimal()));
        Assert.Equal(["mpesa_stk_push", "get_balance"], stk.GetProperty("tools").EnumerateArray().Select(t => t.GetString()));
        Assert.True(stk.GetProperty("inPolicy").GetBoolean());
        Assert.InRange(stk.GetProperty("nextFreeSeconds").GetDouble(), 1, 60);

        var spend = Budget(counters, "b2c_spend");
        Assert.Equal(("global", JsonValueKind.Null, Phone, "text"), (spend.GetProperty("scope").GetString(), spend.GetProperty("owner").ValueKind, spend.GetProperty("partition").GetString(), spend.GetProperty("partitionKind").GetString()));
        Assert.Equal((1200m, 5000m, 0.24, 3600m), (spend.GetProperty("used").GetDecimal(), spend.GetProperty("max").GetDecimal(), spend.GetProperty("fraction").GetDouble(), spend.GetProperty("window").GetDecimal()));

        // The budget fills: the next call through the gateway is refused, and the used figure has reached its max.
        Assert.Null(RefusalCode(await _mcp.PostAsync(endpoint, Call(4, "mpesa_stk_push", StkPush), session)));
        Assert.Equal("rate_limited", RefusalCode(await _mcp.PostAsync(endpoint, Call(5, "mpesa_stk_push", StkPush), session)));
        var full = Budget((await admin.GetAsync("/api/counters?server=payments")).Body, "stk");
        Assert.Equal((3m, 1.0), (full.GetProperty("used").GetDecimal(), full.GetProperty("fraction").GetDouble()));

        var (unknownStatus, unknown) = await admin.GetAsync("/api/counters?server=nowhere");
        Assert.Equal(HttpStatusCode.NotFound, unknownStatus);
        Assert.Contains("nowhere", unknown.GetProperty("error").GetString(), StringComparison.Ordinal);

        using var stranger = new AdminClient(gateway.BaseUrl, token: "not-the-admin-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("/api/counters")).Status);

        // GET /api/audit/{id} is the record the list shows, found by its id; unknown and malformed ids are refused.
        var listed = await admin.AuditAsync(string.Empty, r => r.Length == 5);
        foreach (var record in listed)
        {
            var id = record.GetProperty("id").GetInt64();
            var (oneStatus, one) = await admin.GetAsync($"/api/audit/{id}");
            Assert.Equal(HttpStatusCode.OK, oneStatus);
            Assert.Equal(
                (id, record.GetProperty("tool").GetString(), record.GetProperty("code").GetString(), record.GetProperty("rule").GetString()),
                (one.GetProperty("id").GetInt64(), one.GetProperty("tool").GetString(), one.GetProperty("code").GetString(), one.GetProperty("rule").GetString()));
        }

        var newest = listed.Max(r => r.GetProperty("id").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/audit/{newest + 1}")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/audit/abc")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/audit/0")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync($"/api/audit/{newest}")).Status);
    }

    [Fact]
    public async Task Counters_ABudgetThePolicyNoLongerHas_IsStillListedAndMarkedSo()
    {
        var fixture = new FixtureGateway(_directory, Policy);
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        using var admin = new AdminClient(gateway.BaseUrl);
        var endpoint = gateway.Endpoint("payments");
        var session = await _mcp.InitializeAsync(endpoint);
        Assert.Null(RefusalCode(await _mcp.PostAsync(endpoint, Call(1, "mpesa_stk_push", StkPush), session)));

        // The counter is renamed: the units already taken stay in the store under the old name.
        var temporary = fixture.Configuration + ".tmp";
        File.WriteAllText(temporary, File.ReadAllText(fixture.Configuration).Replace("\"stk\"", "\"stk_v2\"", StringComparison.Ordinal));
        File.Move(temporary, fixture.Configuration, overwrite: true);
        await WaitForPolicyRevisionChangeAsync(admin);

        var old = Budget((await admin.GetAsync("/api/counters")).Body, "stk");
        Assert.False(old.GetProperty("inPolicy").GetBoolean());
        Assert.Equal((1m, JsonValueKind.Null, JsonValueKind.Null, 60m), (old.GetProperty("used").GetDecimal(), old.GetProperty("max").ValueKind, old.GetProperty("fraction").ValueKind, old.GetProperty("windowSeconds").GetDecimal()));
        Assert.Empty(old.GetProperty("tools").EnumerateArray());
    }

    private static async Task WaitForPolicyRevisionChangeAsync(AdminClient admin)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var (_, policies) = await admin.GetAsync("/api/policies");
            var config = policies.GetProperty("config");
            if (config.GetProperty("revision").GetInt32() >= 2 && config.GetProperty("status").GetString() == "ok")
            {
                return;
            }

            await Task.Delay(50, timeout.Token);
        }
    }
}
