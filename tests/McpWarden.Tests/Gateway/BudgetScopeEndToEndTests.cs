using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using McpWarden.Tests.Fixture;
using Xunit;

namespace McpWarden.Tests.Gateway;

/// <summary>
/// Whose budget a call takes, on the real <c>mcpwarden serve</c> with two grants, a client that opens a new
/// MCP session for every call (initialize, initialized, the call, DELETE), and the fixture over HTTP, whose
/// call log shows which calls got through.
/// </summary>
public sealed class BudgetScopeEndToEndTests : IAsyncLifetime
{
    private const int Max = 3;
    private const string KeyA = "key-of-grant-a";
    private const string KeyB = "key-of-grant-b";

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-scope-").FullName;
    private readonly McpHttpExchange _mcp = new();
    private FixtureHttpProcess? _fixture;
    private ServeGatewayProcess? _gateway;
    private string _callLog = string.Empty;

    private ServeGatewayProcess Gateway => _gateway!;

    public async ValueTask InitializeAsync()
    {
        _callLog = Path.Combine(_directory, "calls.jsonl");
        _fixture = await FixtureHttpProcess.StartAsync(new Dictionary<string, string> { ["FIXTURE_CALL_LOG"] = _callLog });
        var configuration = Path.Combine(_directory, "mcpwarden.json");
        await File.WriteAllTextAsync(configuration, $$"""
            { "mcpServers": { "fixture": { "url": {{JsonSerializer.Serialize(_fixture.Url.ToString())}}, "type": "http", "policy": {
                "version": "1", "default": "deny", "tools": {
                  "run_workflow":     { "limits": [ { "counter": "per_grant",   "window": "hour", "max": {{Max}}, "scope": "grant" } ] },
                  "get_balance":      { "limits": [ { "counter": "per_session", "window": "hour", "max": {{Max}}, "scope": "session" } ] },
                  "test_simple_text": { "limits": [ { "counter": "shared",      "window": "hour", "max": {{Max}}, "scope": "global" } ] } } } } },
              "grants": { "a": { "keySha256": "{{Sha256(KeyA)}}" }, "b": { "keySha256": "{{Sha256(KeyB)}}" } } }
            """);
        _gateway = await ServeGatewayProcess.StartAsync(configuration);
    }

    public async ValueTask DisposeAsync()
    {
        _mcp.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_fixture is not null)
        {
            await _fixture.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task GrantScope_ANewSessionForEveryCall_AdmitsExactlyMaxPerGrant_AndTheOtherGrantKeepsItsOwn()
    {
        var a = new List<string?>();
        for (var i = 0; i < Max + 3; i++)
        {
            a.Add(await CallInNewSessionAsync(Gateway.Endpoint("fixture"), KeyA, "run_workflow"));
        }

        Assert.Equal([.. Enumerable.Repeat<string?>(null, Max), .. Enumerable.Repeat<string?>("rate_limited", 3)], a);

        // The aggregated endpoint is no way around it: the budget is the grant's on that server, wherever it calls from.
        Assert.Equal("rate_limited", await CallInNewSessionAsync(Gateway.Endpoint(), KeyA, "fixture__run_workflow"));

        var b = new List<string?>();
        for (var i = 0; i < Max + 1; i++)
        {
            b.Add(await CallInNewSessionAsync(Gateway.Endpoint("fixture"), KeyB, "run_workflow"));
        }

        Assert.Equal([.. Enumerable.Repeat<string?>(null, Max), "rate_limited"], b);
        Assert.Equal(2 * Max, CallsReceived("run_workflow"));
    }

    [Fact]
    public async Task SessionScope_StartsAfreshWithEachNewSession_AndIsSpentWithinOne()
    {
        for (var i = 0; i < Max + 3; i++)
        {
            Assert.Null(await CallInNewSessionAsync(Gateway.Endpoint("fixture"), KeyA, "get_balance"));
        }

        var headers = Key(KeyA);
        var session = await _mcp.InitializeAsync(Gateway.Endpoint("fixture"), headers);
        var within = new List<string?>();
        for (var i = 0; i < Max + 1; i++)
        {
            within.Add(ReasonCode((await _mcp.PostAsync(Gateway.Endpoint("fixture"), Call(i, "get_balance"), session, headers)).Last));
        }

        Assert.Equal([.. Enumerable.Repeat<string?>(null, Max), "rate_limited"], within);
        Assert.Equal(Max + 3 + Max, CallsReceived("get_balance"));
    }

    [Fact]
    public async Task GlobalScope_IsOneBudgetForEveryGrant()
    {
        Assert.Null(await CallInNewSessionAsync(Gateway.Endpoint("fixture"), KeyA, "test_simple_text"));
        Assert.Null(await CallInNewSessionAsync(Gateway.Endpoint("fixture"), KeyB, "test_simple_text"));
        Assert.Null(await CallInNewSessionAsync(Gateway.Endpoint("fixture"), KeyA, "test_simple_text"));

        Assert.Equal("rate_limited", await CallInNewSessionAsync(Gateway.Endpoint("fixture"), KeyB, "test_simple_text"));
        Assert.Equal("rate_limited", await CallInNewSessionAsync(Gateway.Endpoint("fixture"), KeyA, "test_simple_text"));
        Assert.Equal(Max, CallsReceived("test_simple_text"));
    }

    /// <summary>One call in a session of its own, closed afterwards; null when it was admitted, else the policy's reason code.</summary>
    private async Task<string?> CallInNewSessionAsync(Uri endpoint, string key, string tool)
    {
        var headers = Key(key);
        var session = await _mcp.InitializeAsync(endpoint, headers);
        var answer = await _mcp.PostAsync(endpoint, Call(1, tool), session, headers);
        using var delete = new HttpRequestMessage(HttpMethod.Delete, endpoint);
        Assert.Equal(HttpStatusCode.OK, (await _mcp.SendAsync(delete, session, headers)).Status);
        return ReasonCode(answer.Last);
    }

    private static string? ReasonCode(JsonElement answer)
    {
        var result = answer.GetProperty("result");
        return result.TryGetProperty("isError", out var isError) && isError.GetBoolean()
            ? result.GetProperty("_meta").GetProperty("mcpwarden/policy").GetProperty("code").GetString()
            : null;
    }

    private int CallsReceived(string tool) =>
        File.Exists(_callLog) ? File.ReadAllLines(_callLog).Count(line => JsonDocument.Parse(line).RootElement.GetProperty("tool").GetString() == tool) : 0;

    private static string Call(int id, string tool)
    {
        var arguments = tool.EndsWith("run_workflow", StringComparison.Ordinal) ? """{"workflow_id":"nightly"}""" : "{}";
        return $$$"""{"jsonrpc":"2.0","id":{{{id}}},"method":"tools/call","params":{"name":"{{{tool}}}","arguments":{{{arguments}}}}}""";
    }

    private static Dictionary<string, string> Key(string key) => new() { ["Authorization"] = "Bearer " + key };

    private static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
