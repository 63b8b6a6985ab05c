using System.Net;
using System.Text.Json;
using McpWarden.Tests.Cli;
using McpWarden.Tests.Fixture;
using Xunit;

namespace McpWarden.Tests.Gateway;

/// <summary>
/// Grants from end to end: keys made by the real <c>mcpwarden grant add</c>, then used against the real
/// <c>mcpwarden serve</c> in front of the fixture server over HTTP, whose call log shows what reached it.
/// </summary>
public sealed class GrantEndToEndTests : IAsyncLifetime
{
    private const string UpstreamSecret = "Bearer upstream-secret-from-the-configuration";

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-grant-e2e-").FullName;
    private readonly McpHttpExchange _mcp = new();
    private FixtureHttpProcess? _fixture;
    private string _callLog = string.Empty;
    private string _configuration = string.Empty;

    public async ValueTask InitializeAsync()
    {
        _callLog = Path.Combine(_directory, "calls.jsonl");
        _fixture = await FixtureHttpProcess.StartAsync(new Dictionary<string, string> { ["FIXTURE_CALL_LOG"] = _callLog });
        var url = JsonSerializer.Serialize(_fixture.Url.ToString());
        _configuration = Path.Combine(_directory, "mcpwarden.json");
        await File.WriteAllTextAsync(_configuration, $$"""
            { "mcpServers": {
                "payments": { "url": {{url}}, "type": "http", "headers": { "Authorization": {{JsonSerializer.Serialize(UpstreamSecret)}} },
                              "policy": { "version": "1", "default": "allow" } },
                "files": { "url": {{url}}, "type": "http", "policy": { "version": "1", "default": "allow" } } } }
            """);
    }

    public async ValueTask DisposeAsync()
    {
        _mcp.Dispose();
        if (_fixture is not null)
        {
            await _fixture.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task GrantAdd_ThenServe_ThePrintedKeyCalls_AndEveryRefusalSaysWhy()
    {
        var everywhere = await AddGrantAsync("ops");
        var paymentsOnly = await AddGrantAsync("pay", "payments");
        await using var gateway = await ServeGatewayProcess.StartAsync(_configuration);

        Assert.Equal("get_balance called with {}", Text(await CallInNewSessionAsync(gateway.Endpoint("files"), everywhere, "get_balance")));
        Assert.Equal("get_balance called with {}", Text(await CallInNewSessionAsync(gateway.Endpoint("payments"), paymentsOnly, "get_balance")));

        var missing = await _mcp.PostAsync(gateway.Endpoint("payments"), McpHttpExchange.Initialize);
        Assert.Equal((HttpStatusCode.Unauthorized, "missing_key"), (missing.Status, Reason(missing)));
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().ToString());
        Assert.Contains("no key", missing.ErrorMessage, StringComparison.Ordinal);

        var basic = await _mcp.PostAsync(gateway.Endpoint("payments"), McpHttpExchange.Initialize, headers: new Dictionary<string, string> { ["Authorization"] = "Basic b3BzOnNlY3JldA==" });
        Assert.Equal((HttpStatusCode.Unauthorized, "missing_key"), (basic.Status, Reason(basic)));

        var wrong = await _mcp.PostAsync(gateway.Endpoint("payments"), McpHttpExchange.Initialize, headers: Key(everywhere[..^1] + (everywhere[^1] == 'A' ? 'B' : 'A')));
        Assert.Equal((HttpStatusCode.Unauthorized, "unknown_key"), (wrong.Status, Reason(wrong)));
        Assert.Equal("Bearer error=\"invalid_token\"", wrong.Headers.WwwAuthenticate.Single().ToString());
        Assert.Contains("not one of this gateway's grants", wrong.ErrorMessage, StringComparison.Ordinal);

        var elsewhere = await _mcp.PostAsync(gateway.Endpoint("files"), McpHttpExchange.Initialize, headers: Key(paymentsOnly));
        Assert.Equal((HttpStatusCode.Forbidden, "server_not_allowed"), (elsewhere.Status, Reason(elsewhere)));
        Assert.Equal("files", elsewhere.Last.GetProperty("error").GetProperty("data").GetProperty("server").GetString());
        Assert.Equal("the grant \"pay\" may not reach the server \"files\"", elsewhere.ErrorMessage);
        Assert.Equal("application/json", elsewhere.ContentType?.MediaType);

        // The key is checked first: only a grant's holder learns which servers exist, and a missing one is 404 for every grant.
        Assert.Equal(HttpStatusCode.Unauthorized, (await _mcp.PostAsync(gateway.Endpoint("nowhere"), McpHttpExchange.Initialize)).Status);
        var unknownServer = await _mcp.PostAsync(gateway.Endpoint("nowhere"), McpHttpExchange.Initialize, headers: Key(paymentsOnly));
        Assert.Equal((HttpStatusCode.NotFound, "unknown_server"), (unknownServer.Status, Reason(unknownServer)));
        Assert.Equal(HttpStatusCode.NotFound, (await _mcp.PostAsync(gateway.Endpoint("nowhere"), McpHttpExchange.Initialize, headers: Key(everywhere))).Status);

        // GET and DELETE pass the same checks as POST.
        using (var get = new HttpRequestMessage(HttpMethod.Get, gateway.Endpoint("files")))
        {
            get.Headers.Add("Accept", "text/event-stream");
            Assert.Equal(HttpStatusCode.Forbidden, (await _mcp.SendAsync(get, "any-session", Key(paymentsOnly))).Status);
        }

        using (var delete = new HttpRequestMessage(HttpMethod.Delete, gateway.Endpoint("files")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await _mcp.SendAsync(delete, "any-session")).Status);
        }
    }

    [Fact]
    public async Task Aggregate_AGrantLimitedToSomeServers_SeesAndReachesOnlyThose()
    {
        var everywhere = await AddGrantAsync("ops");
        var paymentsOnly = await AddGrantAsync("pay", "payments");
        await using var gateway = await ServeGatewayProcess.StartAsync(_configuration);

        var limited = await ToolNamesAsync(gateway.Endpoint(), paymentsOnly);
        Assert.Contains("payments__get_balance", limited);
        Assert.All(limited, name => Assert.StartsWith("payments__", name, StringComparison.Ordinal));
        var all = await ToolNamesAsync(gateway.Endpoint(), everywhere);
        Assert.Contains("files__get_balance", all);
        Assert.Contains("payments__get_balance", all);

        var headers = Key(paymentsOnly);
        var session = await _mcp.InitializeAsync(gateway.Endpoint(), headers);
        var outside = await _mcp.PostAsync(gateway.Endpoint(), Call(1, "files__get_balance", "{}"), session, headers);
        Assert.Equal(-32602, outside.ErrorCode);
        Assert.Equal("unknown_tool", outside.Last.GetProperty("error").GetProperty("data").GetProperty("code").GetString());
        Assert.False(File.Exists(_callLog) && File.ReadAllText(_callLog).Length > 0, "a call outside the grant reached the server");
    }

    [Fact]
    public async Task TheCallersKey_NeverReachesTheServer_WhichGetsOnlyItsConfiguredHeaders()
    {
        var key = await AddGrantAsync("ops");
        await using var gateway = await ServeGatewayProcess.StartAsync(_configuration);

        Assert.Equal("get_balance called with {}", Text(await CallInNewSessionAsync(gateway.Endpoint("payments"), key, "get_balance")));
        Assert.Equal("This is a simple text response for testing.", Text(await CallInNewSessionAsync(gateway.Endpoint("files"), key, "test_simple_text")));
        Assert.Equal("get_balance called with {}", Text(await CallInNewSessionAsync(gateway.Endpoint(), key, "payments__get_balance")));

        var calls = File.ReadAllLines(_callLog).Select(line => JsonDocument.Parse(line).RootElement).ToArray();
        Assert.Equal(["get_balance", "test_simple_text", "get_balance"], calls.Select(c => c.GetProperty("tool").GetString()));
        Assert.All(calls, call => Assert.All(call.GetProperty("headers").EnumerateObject(), header => Assert.DoesNotContain(key, header.Value.GetString()!, StringComparison.Ordinal)));
        Assert.Equal(UpstreamSecret, calls[0].GetProperty("headers").GetProperty("authorization").GetString());
        Assert.False(calls[1].GetProperty("headers").TryGetProperty("authorization", out _), "a server without configured headers got an Authorization header");
        Assert.Equal(UpstreamSecret, calls[2].GetProperty("headers").GetProperty("authorization").GetString());
        Assert.DoesNotContain(key, gateway.Log, StringComparison.Ordinal);
    }

    /// <summary>Runs the real <c>mcpwarden grant add</c> and returns the key it printed.</summary>
    private async Task<string> AddGrantAsync(string name, string? servers = null)
    {
        var result = await CliProcess.RunAsync(["grant", "add", name, "--config", _configuration, .. servers is null ? Array.Empty<string>() : ["--servers", servers]]);
        Assert.True(result.ExitCode == 0, result.Error);
        return result.OutputLines[0];
    }

    private async Task<JsonElement> CallInNewSessionAsync(Uri endpoint, string key, string tool)
    {
        var headers = Key(key);
        var session = await _mcp.InitializeAsync(endpoint, headers);
        var answer = await _mcp.PostAsync(endpoint, Call(1, tool, "{}"), session, headers);
        using var delete = new HttpRequestMessage(HttpMethod.Delete, endpoint);
        Assert.Equal(HttpStatusCode.OK, (await _mcp.SendAsync(delete, session, headers)).Status);
        return answer.Last;
    }

    private async Task<string[]> ToolNamesAsync(Uri endpoint, string key)
    {
        var headers = Key(key);
        var session = await _mcp.InitializeAsync(endpoint, headers);
        var listed = await _mcp.PostAsync(endpoint, """{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", session, headers);
        return [.. listed.Last.GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()!)];
    }

    private static Dictionary<string, string> Key(string key) => new() { ["Authorization"] = "Bearer " + key };

    private static string Call(int id, string tool, string arguments) =>
        $$$"""{"jsonrpc":"2.0","id":{{{id}}},"method":"tools/call","params":{"name":{{{JsonSerializer.Serialize(tool)}}},"arguments":{{{arguments}}}}}""";

    private static string Reason(McpHttpAnswer answer) => answer.Last.GetProperty("error").GetProperty("data").GetProperty("code").GetString()!;

    private static string Text(JsonElement answer) => answer.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString()!;
}
