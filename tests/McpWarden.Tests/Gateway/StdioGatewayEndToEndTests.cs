using System.Text.Json;
using Xunit;

namespace McpWarden.Tests.Gateway;

/// <summary>
/// <c>mcpwarden stdio</c> driven line by line: hostile input, upstream faults, bypass attempts, observe
/// mode and the server's environment.
/// </summary>
public sealed class StdioGatewayEndToEndTests : IDisposable
{
    private const string EchoPolicy = """{ "version": "1", "default": "deny", "tools": { "echo": { "rate_limit": { "max": 3, "window": 60 } } } }""";

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-e2e-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task HostileInput_IsAnsweredWithErrorsAndTheGatewayKeepsServing()
    {
        await using var gateway = StdioGatewayProcess.Start(EndToEnd.ConfigurationFor(_directory, EchoPolicy));
        var lines = new[]
        {
            "not json",
            """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","name":"get-sum","arguments":{}}}""",
            """[{"jsonrpc":"2.0","id":8,"method":"ping"}]""",
            """{"jsonrpc":"1.0","id":9,"method":"ping"}""",
            "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"ping\",\"params\":{\"pad\":\"" + new string('x', 5 * 1024 * 1024) + "\"}}",
            """{"jsonrpc":"2.0","id":11,"method":"ping"}""",
        };
        foreach (var line in lines)
        {
            await gateway.SendAsync(line);
        }

        var answers = new List<JsonElement>();
        for (var i = 0; i < lines.Length; i++)
        {
            answers.Add(await gateway.NextAsync());
        }

        int Code(int index) => answers[index].GetProperty("error").GetProperty("code").GetInt32();
        JsonValueKind Id(int index) => answers[index].GetProperty("id").ValueKind;

        // Errors for messages whose id cannot be known carry "id": null, as JSON-RPC requires.
        Assert.Equal([JsonValueKind.Null, JsonValueKind.Null, JsonValueKind.Null, JsonValueKind.Number, JsonValueKind.Null], Enumerable.Range(0, 5).Select(Id).ToArray());
        Assert.Equal(-32700, Code(0));
        Assert.Equal(-32600, Code(1));
        Assert.Contains("duplicate key", answers[1].GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(-32600, Code(2));
        Assert.Equal(-32600, Code(3));
        Assert.Equal(-32600, Code(4));
        Assert.Contains("limit", answers[4].GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        // After all of that, the gateway still serves: the last ping reaches the server and comes back.
        Assert.Equal(11, answers[5].GetProperty("id").GetInt32());
        Assert.True(answers[5].TryGetProperty("result", out _));
        Assert.Equal(0, await gateway.CloseAsync());
    }

    [Fact]
    public async Task UpstreamFaults_GetClearErrorsAndNeverAHang_AndACrashedServerComesBack()
    {
        var marker = Path.Combine(_directory, "cancelled-marker");
        var configuration = EndToEnd.FaultyServerConfiguration(_directory, $$"""
            "env": { "MARKER_FILE": {{JsonSerializer.Serialize(marker)}} }, "timeout": 2
            """, """{ "version": "1", "default": "allow" }""");
        await using var gateway = StdioGatewayProcess.Start(configuration);
        await gateway.InitializeAsync();

        // Garbage on the server's stdout is dropped; the call still gets its answer.
        await gateway.SendAsync(Call(1, "garbage"));
        Assert.Equal("answered after garbage", (await gateway.AnswerToAsync(1)).GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());

        // A server that never answers: the client hears of the timeout, and the server is told to stop.
        await gateway.SendAsync(Call(2, "hang"));
        var timedOut = await gateway.AnswerToAsync(2);
        Assert.Equal(-32001, timedOut.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("cancelled", await WaitForFileAsync(marker));

        await gateway.SendAsync(Call(3, "ok"));
        Assert.True((await gateway.AnswerToAsync(3)).TryGetProperty("result", out _));

        // A server that dies mid-call: the call in flight is answered at once; calls while it restarts are refused
        // at once, and once a fresh process has taken the replayed handshake, calls succeed again.
        await gateway.SendAsync(Call(4, "crash"));
        Assert.Contains("closed its connection", (await gateway.AnswerToAsync(4)).GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        var id = 5;
        for (; ; id++)
        {
            await gateway.SendAsync(Call(id, "ok"));
            var answer = await gateway.AnswerToAsync(id);
            if (answer.TryGetProperty("result", out _) || id == 60)
            {
                Assert.Equal("ok", answer.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
                break;
            }

            Assert.Contains("is restarting; retry in", answer.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        Assert.InRange(id, 6, 60);
        while ((await gateway.NextAsync()).GetProperty("method").GetString() != "notifications/tools/list_changed")
        {
        }

        Assert.Equal(0, await gateway.CloseAsync());
    }

    [Fact]
    public async Task ObserveMode_DecidesEverythingButRefusesAndHidesNothing()
    {
        var configuration = Path.Combine(_directory, "mcpwarden.json");
        await File.WriteAllTextAsync(configuration, $$"""
            { "mode": "observe", "mcpServers": { "everything": {
                "command": "node", "args": [{{JsonSerializer.Serialize(EndToEnd.ServerEverything)}}, "stdio"],
                "policy": { "version": "1", "default": "deny" } } } }
            """, TestContext.Current.CancellationToken);
        await using var gateway = StdioGatewayProcess.Start(configuration);
        await gateway.InitializeAsync();

        await gateway.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""");
        var tools = (await gateway.AnswerToAsync(1)).GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToArray();
        Assert.Contains("echo", tools);
        Assert.Contains("get-sum", tools);

        await gateway.SendAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"message":"observed"}}}""");
        Assert.Equal("Echo: observed", (await gateway.AnswerToAsync(2)).GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(0, await gateway.CloseAsync());
    }

    [Fact]
    public async Task BypassAttempts_NeverReachTheServer_ProvenByWhatTheServerReceived()
    {
        var record = Path.Combine(_directory, "received.jsonl");
        var configuration = EndToEnd.FaultyServerConfiguration(_directory, $$"""
            "env": { "RECORD_FILE": {{JsonSerializer.Serialize(record)}} }
            """, """{ "version": "1", "default": "deny", "tools": { "ok": {} } }""");
        await using var gateway = StdioGatewayProcess.Start(configuration);
        await gateway.InitializeAsync();

        // A hidden tool, called properly: refused by policy.
        await gateway.SendAsync(Call(1, "secret"));
        Assert.Equal("default_deny", (await gateway.AnswerToAsync(1)).GetProperty("result").GetProperty("_meta").GetProperty("mcpwarden/policy").GetProperty("code").GetString());

        // The same call without an id: a "notification" a generic JSON-RPC server might still run.
        await gateway.SendAsync("""{"jsonrpc":"2.0","method":"tools/call","params":{"name":"secret","arguments":{}}}""");

        // A request with a null id, and one whose name is given twice: refused with "id": null.
        await gateway.SendAsync("""{"jsonrpc":"2.0","id":null,"method":"tools/call","params":{"name":"secret","arguments":{}}}""");
        var nullId = await gateway.NextAsync();
        Assert.Equal(JsonValueKind.Null, nullId.GetProperty("id").ValueKind);
        Assert.Equal(-32600, nullId.GetProperty("error").GetProperty("code").GetInt32());
        await gateway.SendAsync("""{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"ok","name":"secret","arguments":{}}}""");
        var duplicate = await gateway.NextAsync();
        Assert.Equal(JsonValueKind.Null, duplicate.GetProperty("id").ValueKind);

        // Params that are not an object, and a tools/call without a name: errors, never forwarded.
        await gateway.SendAsync("""{"jsonrpc":"2.0","id":4,"method":"tools/call","params":["secret"]}""");
        Assert.Equal(-32602, (await gateway.AnswerToAsync(4)).GetProperty("error").GetProperty("code").GetInt32());
        await gateway.SendAsync("""{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"arguments":{}}}""");
        Assert.Equal(-32602, (await gateway.AnswerToAsync(5)).GetProperty("error").GetProperty("code").GetInt32());

        // The allowed tool still works, and is the only tool call the server ever saw.
        await gateway.SendAsync(Call(6, "ok"));
        Assert.True((await gateway.AnswerToAsync(6)).TryGetProperty("result", out _));
        Assert.Equal(0, await gateway.CloseAsync());

        var calls = EndToEnd.ToolCallsReceived(record);
        Assert.Equal(["ok"], calls);
    }

    private static string Call(int id, string tool) =>
        "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{}}}";

    private static async Task<string> WaitForFileAsync(string path)
    {
        // The server writes the marker when the cancellation reaches it, just after the client's error; the file
        // exists, empty, for a moment before its text is in it.
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (File.Exists(path) && await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken) is { Length: > 0 } text)
            {
                return text;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        return "(no marker)";
    }

    [Fact]
    public async Task ServerProcess_GetsTheSafeBaseAndItsOwnEnv_NeverTheGatewaysSecrets()
    {
        var configuration = Path.Combine(_directory, "mcpwarden.json");
        await File.WriteAllTextAsync(configuration, $$"""
            { "mcpServers": { "everything": {
                "command": "node", "args": [{{JsonSerializer.Serialize(EndToEnd.ServerEverything)}}, "stdio"],
                "env": { "CONFIGURED_FOR_SERVER": "yes" },
                "policy": { "version": "1", "default": "deny", "tools": { "get-env": {} } } } } }
            """, TestContext.Current.CancellationToken);
        await using var gateway = StdioGatewayProcess.Start(configuration, new Dictionary<string, string> { ["MCPWARDEN_E2E_SECRET"] = "gateway-secret-value" });
        await gateway.InitializeAsync();
        await gateway.SendAsync(Call(2, "get-env"));
        var environment = (await gateway.AnswerToAsync(2)).GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString();
        await gateway.CloseAsync();

        Assert.NotNull(environment);
        Assert.DoesNotContain("gateway-secret-value", environment, StringComparison.Ordinal);
        Assert.Contains("\"CONFIGURED_FOR_SERVER\": \"yes\"", environment, StringComparison.Ordinal);
        Assert.Contains("\"PATH\"", environment, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerStartedAhead_EndsWithTheGateway_WhenTheStoreCannotBeOpened()
    {
        // The server's process starts before the store opens (so that the two starts overlap); a gateway that then
        // cannot open its store must not leave it running. The server writes its pid first thing, then waits.
        var pidFile = Path.Combine(_directory, "server.pid");
        var notADirectory = Path.Combine(_directory, "a-file");
        await File.WriteAllTextAsync(notADirectory, "", TestContext.Current.CancellationToken);
        var configuration = Path.Combine(_directory, "mcpwarden.json");
        await File.WriteAllTextAsync(configuration, $$"""
            { "mcpServers": { "waiting": {
                "command": "sh", "args": ["-c", {{JsonSerializer.Serialize($"echo $$ > '{pidFile}'; exec sleep 300")}}],
                "policy": { "version": "1", "default": "deny", "tools": {} } } },
              "store": { "path": {{JsonSerializer.Serialize(Path.Combine(notADirectory, "mcpwarden.db"))}} } }
            """, TestContext.Current.CancellationToken);
        await using var gateway = StdioGatewayProcess.Start(configuration);

        Assert.NotEqual(0, await gateway.CloseAsync());
        Assert.Contains("cannot open the store", gateway.Log, StringComparison.Ordinal);
        Assert.True(File.Exists(pidFile), "the server was not started ahead of the store");
        var pid = (await File.ReadAllTextAsync(pidFile, TestContext.Current.CancellationToken)).Trim();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(20));
        while (IsRunning(pid))
        {
            await Task.Delay(50, deadline.Token);
        }
    }

    /// <summary>Whether the process is alive (a zombie, killed and not yet reaped, is not).</summary>
    private static bool IsRunning(string pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
