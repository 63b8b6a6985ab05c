using System.Net;
using McpWarden.Tests.Gateway;
using Xunit;

namespace McpWarden.Tests.Security;

/// <summary>
/// Who a caller is cannot be reset or borrowed on the real <c>mcpwarden serve</c> with two grants: a new
/// session for every call leaves a grant's budget spent, another grant's session id is no way in, and a tool
/// the client was never shown stays uncallable. The fixture's call log shows what ran.
/// </summary>
[Trait("Security", "bypass")]
public sealed class BypassSessionAndGrantTests : IAsyncLifetime
{
    private const int Max = 3;
    private const string KeyA = "bypass-key-of-grant-a";
    private const string KeyB = "bypass-key-of-grant-b";

    private readonly McpHttpExchange _mcp = new();
    private HttpFixtureGateway? _gateway;

    private HttpFixtureGateway Gateway => _gateway!;

    public async ValueTask InitializeAsync() => _gateway = await HttpFixtureGateway.StartAsync(
        $$"""
        { "version": "1", "default": "deny", "tools": {
            "run_workflow": { "limits": [ { "counter": "per_grant", "window": "hour", "max": {{Max}}, "scope": "grant" } ] },
            "get_balance": {} } }
        """,
        $$"""
        "grants": { "a": { "keySha256": "{{FixtureGateway.Sha256(KeyA)}}" }, "b": { "keySha256": "{{FixtureGateway.Sha256(KeyB)}}" } },
        """);

    public async ValueTask DisposeAsync()
    {
        _mcp.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }

    [Fact]
    public async Task SessionRecycling_ANewSessionPerCall_AbandonedOrDeleted_OrTheAggregate_NeverRefillsAGrantsBudget()
    {
        var outcomes = new List<string?>();
        for (var i = 0; i < Max + 2; i++)
        {
            outcomes.Add(await CallInNewSessionAsync(Gateway.Endpoint, KeyA, "run_workflow", $"recycled-{i}", delete: true));
        }

        // Sessions left open rather than deleted, and the aggregated endpoint, are the same grant.
        outcomes.Add(await CallInNewSessionAsync(Gateway.Endpoint, KeyA, "run_workflow", "abandoned-1", delete: false));
        outcomes.Add(await CallInNewSessionAsync(Gateway.Endpoint, KeyA, "run_workflow", "abandoned-2", delete: false));
        outcomes.Add(await CallInNewSessionAsync(Gateway.Gateway.Endpoint(), KeyA, "fixture__run_workflow", "aggregate", delete: true));

        Assert.Equal([.. Enumerable.Repeat<string?>(null, Max), .. Enumerable.Repeat<string?>("rate_limited", 5)], outcomes);
        Assert.Equal(Max, Gateway.CallsReceived().Count(c => c.GetProperty("tool").GetString() == "run_workflow"));

        // The other grant's budget is its own: recycling by A took nothing from B.
        Assert.Null(await CallInNewSessionAsync(Gateway.Endpoint, KeyB, "run_workflow", "grant-b", delete: true));
        Assert.True(Gateway.Received("grant-b"));
    }

    [Fact]
    public async Task StolenSessionId_WithAnotherGrantsKeyOrNoKey_IsRefused_AndItsOwnerKeepsIt()
    {
        var session = await _mcp.InitializeAsync(Gateway.Endpoint, Key(KeyA));

        var withB = await _mcp.PostAsync(Gateway.Endpoint, Refusals.Call(1, "run_workflow", """{"workflow_id":"stolen-b"}"""), session, Key(KeyB));
        Assert.Equal(HttpStatusCode.NotFound, withB.Status);
        var onAggregate = await _mcp.PostAsync(Gateway.Gateway.Endpoint(), Refusals.Call(2, "fixture__run_workflow", """{"workflow_id":"stolen-aggregate"}"""), session, Key(KeyB));
        Assert.Equal(HttpStatusCode.NotFound, onAggregate.Status);
        var withoutKey = await _mcp.PostAsync(Gateway.Endpoint, Refusals.Call(3, "run_workflow", """{"workflow_id":"stolen-none"}"""), session);
        Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.Status);
        var withWrongKey = await _mcp.PostAsync(Gateway.Endpoint, Refusals.Call(4, "run_workflow", """{"workflow_id":"stolen-wrong"}"""), session, Key(KeyA + "x"));
        Assert.Equal(HttpStatusCode.Unauthorized, withWrongKey.Status);

        // B cannot end A's session either.
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, Gateway.Endpoint))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await _mcp.SendAsync(delete, session, Key(KeyB))).Status);
        }

        var owner = await _mcp.PostAsync(Gateway.Endpoint, Refusals.Call(5, "run_workflow", """{"workflow_id":"owner"}"""), session, Key(KeyA));
        Assert.Null(Refusals.ReasonCode(owner.Last));
        Assert.Equal(["owner"], Gateway.CallsReceived().Select(c => c.GetProperty("arguments").GetProperty("workflow_id").GetString()));
    }

    [Fact]
    public async Task AToolTheClientWasNeverShown_IsRefusedWhetherOrNotItListedTools()
    {
        var headers = Key(KeyA);
        var session = await _mcp.InitializeAsync(Gateway.Endpoint, headers);

        // Straight away, before any tools/list: the gateway fetches the server's list itself and decides from it.
        var unlisted = await _mcp.PostAsync(Gateway.Endpoint, Refusals.Call(1, "delete_records", """{"table":"never-shown-1","ids":["1"]}"""), session, headers);
        Assert.Equal("default_deny", Refusals.ReasonCode(unlisted.Last));

        var listed = await _mcp.PostAsync(Gateway.Endpoint, """{"jsonrpc":"2.0","id":2,"method":"tools/list"}""", session, headers);
        var shown = listed.Last.GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToArray();
        Assert.Equal(["get_balance", "run_workflow"], shown.Order(StringComparer.Ordinal));

        foreach (var (id, hidden) in new[] { (3, "delete_records"), (4, "mpesa_stk_push"), (5, "b2c_payment") })
        {
            var answer = await _mcp.PostAsync(Gateway.Endpoint, Refusals.Call(id, hidden, """{"table":"never-shown-2","ids":["1"],"amount":1,"phone":"254712345678","account_reference":"never-shown-2"}"""), session, headers);
            Assert.Equal("default_deny", Refusals.ReasonCode(answer.Last));
        }

        Assert.False(Gateway.Received("never-shown"), "a hidden tool reached the server");
        Assert.Empty(Gateway.CallsReceived());
    }

    /// <summary>One call in a session of its own; null when admitted, else the policy's reason code.</summary>
    private async Task<string?> CallInNewSessionAsync(Uri endpoint, string key, string tool, string workflow, bool delete)
    {
        var headers = Key(key);
        var session = await _mcp.InitializeAsync(endpoint, headers);
        var answer = await _mcp.PostAsync(endpoint, Refusals.Call(1, tool, $$"""{"workflow_id":"{{workflow}}"}"""), session, headers);
        if (delete)
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, endpoint);
            Assert.Equal(HttpStatusCode.OK, (await _mcp.SendAsync(request, session, headers)).Status);
        }

        return Refusals.ReasonCode(answer.Last);
    }

    private static Dictionary<string, string> Key(string key) => new() { ["Authorization"] = "Bearer " + key };
}
