using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Xunit;

namespace McpWarden.Tests.Gateway;

/// <summary>
/// <c>mcpwarden serve</c> spoken to byte by byte: the front's checks (Host and Origin, Accept, size,
/// JSON, versions, sessions, grants) and upstream faults, each answered clearly while the gateway keeps
/// serving.
/// </summary>
public sealed class HttpFrontEndToEndTests : IDisposable
{
    private const string AllowOk = """{ "version": "1", "default": "deny", "tools": { "ok": {}, "hang": {}, "crash": {}, "garbage": {} } }""";

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-http-").FullName;
    private readonly McpHttpExchange _mcp = new();

    public void Dispose()
    {
        _mcp.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task RequestsFromElsewhere_AreRefusedWith403()
    {
        await using var gateway = await ServeGatewayProcess.StartAsync(Faulty(AllowOk));
        var endpoint = gateway.Endpoint("faulty");

        var rebound = await _mcp.PostAsync(endpoint, McpHttpExchange.Initialize, headers: new Dictionary<string, string> { ["Host"] = "attacker.example:8787" });
        Assert.Equal(HttpStatusCode.Forbidden, rebound.Status);
        Assert.Contains("loopback", rebound.ErrorMessage, StringComparison.Ordinal);

        var crossOrigin = await _mcp.PostAsync(endpoint, McpHttpExchange.Initialize, headers: new Dictionary<string, string> { ["Origin"] = "https://attacker.example" });
        Assert.Equal(HttpStatusCode.Forbidden, crossOrigin.Status);

        var sameMachine = await _mcp.PostAsync(endpoint, McpHttpExchange.Initialize, headers: new Dictionary<string, string> { ["Origin"] = "http://localhost:3000" });
        Assert.Equal(HttpStatusCode.OK, sameMachine.Status);
    }

    [Fact]
    public async Task MalformedRequests_GetTheRightStatusAndAnErrorNamingTheProblem()
    {
        await using var gateway = await ServeGatewayProcess.StartAsync(Faulty(AllowOk, topLevelFields: """ "maxMessageBytes": 4096, """));
        var endpoint = gateway.Endpoint("faulty");
        var session = await _mcp.InitializeAsync(endpoint);

        var wrongAccept = await _mcp.PostAsync(endpoint, McpHttpExchange.Call(1, "ok"), session, accept: "application/json");
        Assert.Equal(HttpStatusCode.NotAcceptable, wrongAccept.Status);

        var batch = await _mcp.PostAsync(endpoint, "[" + McpHttpExchange.Call(2, "ok") + "]", session);
        Assert.Equal((HttpStatusCode.BadRequest, -32600), (batch.Status, batch.ErrorCode));

        var duplicate = await _mcp.PostAsync(endpoint, """{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"ok","name":"secret"}}""", session);
        Assert.Equal((HttpStatusCode.BadRequest, -32600), (duplicate.Status, duplicate.ErrorCode));
        Assert.Contains("duplicate key", duplicate.ErrorMessage, StringComparison.Ordinal);

        var notJson = await _mcp.PostAsync(endpoint, "{not json", session);
        Assert.Equal((HttpStatusCode.BadRequest, -32700), (notJson.Status, notJson.ErrorCode));

        var oversize = await _mcp.PostAsync(endpoint, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\",\"params\":{\"pad\":\"" + new string('x', 8000) + "\"}}", session);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversize.Status);
        Assert.Contains("4096", oversize.ErrorMessage, StringComparison.Ordinal);

        var noSession = await _mcp.PostAsync(endpoint, McpHttpExchange.Call(5, "ok"));
        Assert.Equal(HttpStatusCode.BadRequest, noSession.Status);
        var unknownSession = await _mcp.PostAsync(endpoint, McpHttpExchange.Call(6, "ok"), "0123456789abcdef");
        Assert.Equal(HttpStatusCode.NotFound, unknownSession.Status);

        // The stateless revision's probe gets a legacy error, on which modern clients fall back to initialize.
        var probe = await _mcp.PostAsync(endpoint, """{"jsonrpc":"2.0","id":7,"method":"server/discover"}""", headers: new Dictionary<string, string> { ["MCP-Protocol-Version"] = "2026-07-28" });
        Assert.Equal((HttpStatusCode.BadRequest, -32000), (probe.Status, probe.ErrorCode));

        // Any served revision is accepted after initialize, not only the negotiated one.
        var older = await _mcp.PostAsync(endpoint, McpHttpExchange.Call(8, "ok"), session, new Dictionary<string, string> { ["MCP-Protocol-Version"] = "2025-03-26" });
        Assert.Equal("ok", older.Last.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());

        // After all of that the session still serves, until it is deleted.
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, endpoint))
        {
            Assert.Equal(HttpStatusCode.OK, (await _mcp.SendAsync(delete, session)).Status);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await _mcp.PostAsync(endpoint, McpHttpExchange.Call(9, "ok"), session)).Status);
    }

    [Fact]
    public async Task SessionIds_AreRandomAndAGetStreamIsOnePerSession()
    {
        await using var gateway = await ServeGatewayProcess.StartAsync(Faulty(AllowOk));
        var endpoint = gateway.Endpoint("faulty");
        var first = await _mcp.InitializeAsync(endpoint);
        var second = await _mcp.InitializeAsync(endpoint);
        Assert.Matches("^[0-9a-f]{64}$", first);
        Assert.NotEqual(first, second);

        using var http = new HttpClient();
        using var open = new HttpRequestMessage(HttpMethod.Get, endpoint);
        open.Headers.Add("Accept", "text/event-stream");
        open.Headers.Add("Mcp-Session-Id", first);
        using var stream = await http.SendAsync(open, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);

        using var again = new HttpRequestMessage(HttpMethod.Get, endpoint);
        again.Headers.Add("Accept", "text/event-stream");
        Assert.Equal(HttpStatusCode.Conflict, (await _mcp.SendAsync(again, first)).Status);
    }

    [Fact]
    public async Task WithGrants_EveryRequestNeedsAKeyAllowedOnTheServer_AndASessionAnswersOnlyItsGrant()
    {
        var configuration = Path.Combine(_directory, "mcpwarden.json");
        var server = $$"""{ "command": "node", "args": [{{JsonSerializer.Serialize(Path.Combine(EndToEnd.Directory, "faulty-server.mjs"))}}], "policy": {{AllowOk}} }""";
        await File.WriteAllTextAsync(configuration, $$"""
            { "mcpServers": { "faulty": {{server}}, "other": {{server}} },
              "grants": { "alice": { "keySha256": "{{Sha256("alice-key")}}" },
                          "bob": { "keySha256": "{{Sha256("bob-key")}}", "servers": ["other"] } } }
            """, TestContext.Current.CancellationToken);
        await using var gateway = await ServeGatewayProcess.StartAsync(configuration);
        var endpoint = gateway.Endpoint("faulty");
        static Dictionary<string, string> Key(string key) => new() { ["Authorization"] = "Bearer " + key };

        var anonymous = await _mcp.PostAsync(endpoint, McpHttpExchange.Initialize);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _mcp.PostAsync(endpoint, McpHttpExchange.Initialize, headers: Key("guessed"))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await _mcp.PostAsync(endpoint, McpHttpExchange.Initialize, headers: Key("bob-key"))).Status);

        var session = await _mcp.InitializeAsync(endpoint, Key("alice-key"));
        var call = await _mcp.PostAsync(endpoint, McpHttpExchange.Call(1, "ok"), session, Key("alice-key"));
        Assert.Equal("ok", call.Last.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());

        // Alice's session id is no key: Bob cannot use it, on any endpoint.
        Assert.Equal(HttpStatusCode.NotFound, (await _mcp.PostAsync(gateway.Endpoint("other"), McpHttpExchange.Call(2, "ok"), session, Key("bob-key"))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _mcp.PostAsync(gateway.Endpoint("other"), McpHttpExchange.Call(3, "ok"), session, Key("alice-key"))).Status);
    }

    [Fact]
    public async Task WithoutGrants_TheGatewayRefusesToListenBeyondLoopback()
    {
        var result = await ProcessRunner.RunAsync("dotnet", [EndToEnd.Gateway, "serve", "--config", Faulty(AllowOk), "--urls", "http://0.0.0.0:0"], _directory);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("loopback only", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpstreamFaults_AreClearErrors_OtherSessionsKeepWorking_AndACrashedServerComesBack()
    {
        await using var gateway = await ServeGatewayProcess.StartAsync(Faulty(AllowOk, serverFields: """ "timeout": 2, """));
        var endpoint = gateway.Endpoint("faulty");
        var healthy = await _mcp.InitializeAsync(endpoint);
        var doomed = await _mcp.InitializeAsync(endpoint);

        var garbage = await _mcp.PostAsync(endpoint, McpHttpExchange.Call(1, "garbage"), doomed);
        Assert.Equal("answered after garbage", garbage.Last.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());

        var hang = await _mcp.PostAsync(endpoint, McpHttpExchange.Call(2, "hang"), doomed);
        Assert.Equal(-32001, hang.ErrorCode);

        var crash = await _mcp.PostAsync(endpoint, McpHttpExchange.Call(3, "crash"), doomed);
        Assert.Contains("closed its connection", crash.ErrorMessage, StringComparison.Ordinal);

        var stillServing = await _mcp.PostAsync(endpoint, McpHttpExchange.Call(4, "ok"), healthy);
        Assert.Equal("ok", stillServing.Last.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());

        // The crashed session's server is restarted: refused at once meanwhile, then serving again.
        for (var id = 5; ; id++)
        {
            var again = await _mcp.PostAsync(endpoint, McpHttpExchange.Call(id, "ok"), doomed);
            if (again.Last.TryGetProperty("result", out _) || id == 60)
            {
                Assert.Equal("ok", again.Last.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
                break;
            }

            Assert.Contains("is restarting; retry in", again.ErrorMessage, StringComparison.Ordinal);
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        Assert.Equal(0, await gateway.StopAsync());
    }

    [Fact]
    public async Task ACancelledRequest_EndsItsStreamAndFreesItsId()
    {
        var marker = Path.Combine(_directory, "cancelled-marker");
        await using var gateway = await ServeGatewayProcess.StartAsync(Faulty(AllowOk, serverFields: $$""" "env": { "MARKER_FILE": {{JsonSerializer.Serialize(marker)}} }, """));
        var endpoint = gateway.Endpoint("faulty");
        var session = await _mcp.InitializeAsync(endpoint);
        // The session's first call reads and vets the tool list; after it, a call is forwarded at once, so the
        // cancellation below meets a request the server is running (one still being decided is covered in ProxySessionTests).
        Assert.True((await _mcp.PostAsync(endpoint, McpHttpExchange.Call(0, "ok"), session)).Last.TryGetProperty("result", out _));

        var hanging = _mcp.PostAsync(endpoint, McpHttpExchange.Call(1, "hang"), session);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        var cancel = await _mcp.PostAsync(endpoint, """{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1,"reason":"the test cancels"}}""", session);
        Assert.Equal(HttpStatusCode.Accepted, cancel.Status);

        // A cancelled request is not answered: its stream simply ends, and the id can be used again.
        var ended = await hanging.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.Empty(ended.Messages);
        var again = await _mcp.PostAsync(endpoint, McpHttpExchange.Call(1, "ok"), session);
        Assert.True(again.Last.TryGetProperty("result", out _), again.Last.GetRawText());
        Assert.True(File.Exists(marker), "the server never heard of the cancellation");
        Assert.Equal("ok", again.Last.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Sigterm_ClosesEverySessionAndStopsTheirServerProcesses()
    {
        await using var gateway = await ServeGatewayProcess.StartAsync(Faulty(AllowOk));
        var endpoint = gateway.Endpoint("faulty");
        var session = await _mcp.InitializeAsync(endpoint);
        await _mcp.InitializeAsync(endpoint);
        var servers = ChildProcesses(gateway.ProcessId).Where(pid => CommandLine(pid).Contains("faulty-server.mjs", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, servers.Count);

        // An open GET stream must not hold the shutdown up.
        using var http = new HttpClient();
        using var open = new HttpRequestMessage(HttpMethod.Get, endpoint);
        open.Headers.Add("Accept", "text/event-stream");
        open.Headers.Add("Mcp-Session-Id", session);
        using var stream = await http.SendAsync(open, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);

        Assert.Equal(0, await gateway.StopAsync());
        Assert.All(servers, pid => Assert.False(File.Exists($"/proc/{pid}/cmdline"), $"server process {pid} outlived the gateway"));
    }

    [Fact]
    public async Task Healthz_ListsTheServers_ButNotToAReboundName()
    {
        await using var gateway = await ServeGatewayProcess.StartAsync(Faulty(AllowOk));
        using var http = new HttpClient();
        using var health = JsonDocument.Parse(await http.GetStringAsync(new Uri(gateway.BaseUrl, "/healthz"), TestContext.Current.CancellationToken));
        Assert.Equal("serving", health.RootElement.GetProperty("status").GetString());
        Assert.Equal("stdio", health.RootElement.GetProperty("servers").GetProperty("faulty").GetProperty("transport").GetString());

        using var rebound = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway.BaseUrl, "/healthz"));
        rebound.Headers.Host = "attacker.example";
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(rebound, TestContext.Current.CancellationToken)).StatusCode);
    }

    /// <summary>The direct children of a process, from /proc (field 4 of stat is the parent's pid).</summary>
    private static IEnumerable<int> ChildProcesses(int parent) =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name!.All(char.IsAsciiDigit))
            .Select(name => int.Parse(name!, System.Globalization.CultureInfo.InvariantCulture))
            .Where(pid => ParentOf(pid) == parent);

    private static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    private string Faulty(string policy, string topLevelFields = "", string serverFields = "")
    {
        var path = Path.Combine(_directory, "mcpwarden.json");
        File.WriteAllText(path, $$"""
            { {{topLevelFields}} "mcpServers": { "faulty": {
                "command": "node", "args": [{{JsonSerializer.Serialize(Path.Combine(EndToEnd.Directory, "faulty-server.mjs"))}}], {{serverFields}}
                "policy": {{policy}} } } }
            """);
        return path;
    }

    private static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
