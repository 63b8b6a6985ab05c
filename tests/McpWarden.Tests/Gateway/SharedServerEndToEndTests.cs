using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Xunit;

namespace McpWarden.Tests.Gateway;

/// <summary>
/// <c>"shared": true</c> on the real <c>mcpwarden serve</c> with the fixture over stdio: sessions share one
/// process (the fixture's call log names the process that ran each call) and never see each other's answers,
/// a server without it still gets a process per session, and the shared process ends with its last session.
/// </summary>
public sealed class SharedServerEndToEndTests : IAsyncLifetime
{
    private const int Sessions = 4;

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-shared-").FullName;
    private readonly McpHttpExchange _mcp = new();
    private ServeGatewayProcess? _gateway;

    private ServeGatewayProcess Gateway => _gateway!;

    public async ValueTask InitializeAsync()
    {
        var configuration = Path.Combine(_directory, "mcpwarden.json");
        await File.WriteAllTextAsync(configuration, $$"""
            { "mcpServers": {
                "pooled": { "command": "dotnet", "args": [{{JsonSerializer.Serialize(EndToEnd.Fixture)}}, "stdio"], "shared": true,
                            "env": { "FIXTURE_CALL_LOG": {{JsonSerializer.Serialize(CallLog("pooled"))}} }, "policy": {{Policy}} },
                "own":    { "command": "dotnet", "args": [{{JsonSerializer.Serialize(EndToEnd.Fixture)}}, "stdio"],
                            "env": { "FIXTURE_CALL_LOG": {{JsonSerializer.Serialize(CallLog("own"))}} }, "policy": {{Policy}} } } }
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

        Directory.Delete(_directory, recursive: true);
    }

    private static string Policy => """{ "version": "1", "default": "deny", "tools": { "echo": { "limits": [ { "counter": "per_session", "window": "hour", "max": 1, "scope": "session" } ] } } }""";

    [Fact]
    public async Task SessionsOfASharedServer_RunInOneProcess_EachGettingItsOwnAnswers_WhileAnotherServerGetsAProcessPerSession()
    {
        var pooled = await OpenSessionsAsync("pooled");
        var own = await OpenSessionsAsync("own");

        // Every session uses the same request id at the same moment: only the gateway's own ids tell them apart upstream.
        var answers = await Task.WhenAll(pooled.Concat(own).Select((session, i) => EchoAsync(session.Server, session.Id, $"text of session {i}")));

        Assert.Equal(Enumerable.Range(0, 2 * Sessions).Select(i => $"text of session {i}"), answers);
        Assert.Single(ProcessesThatRan("pooled"));
        Assert.Equal(Sessions, ProcessesThatRan("own").Count);

        // The policy is still each session's own: a second call in a session is over its session budget, shared process or not.
        Assert.Equal("rate_limited", ReasonCode((await _mcp.PostAsync(Gateway.Endpoint("pooled"), Echo("again"), pooled[0].Id)).Last));
        Assert.Equal(Sessions, File.ReadAllLines(CallLog("pooled")).Length);
    }

    [Fact]
    public async Task TheSharedProcess_EndsWithItsLastSession_AndTheNextSessionStartsAnother()
    {
        var first = await OpenSessionsAsync("pooled");
        await EchoAsync("pooled", first[0].Id, "before");
        var process = Process.GetProcessById(Assert.Single(ProcessesThatRan("pooled")));

        foreach (var session in first.Skip(1))
        {
            await CloseAsync(session.Id);
        }

        Assert.False(process.HasExited);
        await CloseAsync(first[0].Id);
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "the shared process outlived its last session");

        var next = await _mcp.InitializeAsync(Gateway.Endpoint("pooled"));
        Assert.Equal("after", await EchoAsync("pooled", next, "after"));
        Assert.Equal(2, ProcessesThatRan("pooled").Count);
    }

    private string CallLog(string server) => Path.Combine(_directory, server + "-calls.jsonl");

    private HashSet<int> ProcessesThatRan(string server) =>
        [.. File.ReadAllLines(CallLog(server)).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("pid").GetInt32())];

    private async Task<List<(string Server, string Id)>> OpenSessionsAsync(string server)
    {
        var sessions = new List<(string, string)>();
        for (var i = 0; i < Sessions; i++)
        {
            sessions.Add((server, await _mcp.InitializeAsync(Gateway.Endpoint(server))));
        }

        return sessions;
    }

    private async Task<string> EchoAsync(string server, string session, string text)
    {
        var answer = (await _mcp.PostAsync(Gateway.Endpoint(server), Echo(text), session)).Last;
        return answer.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString()!;
    }

    private async Task CloseAsync(string session)
    {
        using var delete = new HttpRequestMessage(HttpMethod.Delete, Gateway.Endpoint("pooled"));
        Assert.Equal(HttpStatusCode.OK, (await _mcp.SendAsync(delete, session)).Status);
    }

    private static string Echo(string text) =>
        """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":""" + JsonSerializer.Serialize(text) + "}}}";

    private static string? ReasonCode(JsonElement answer)
    {
        var result = answer.GetProperty("result");
        return result.TryGetProperty("isError", out var isError) && isError.GetBoolean()
            ? result.GetProperty("_meta").GetProperty("mcpwarden/policy").GetProperty("code").GetString()
            : null;
    }
}
