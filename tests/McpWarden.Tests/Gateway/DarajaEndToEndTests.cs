using System.Text.Json;
using Xunit;

namespace McpWarden.Tests.Gateway;

/// <summary>
/// The real M-Pesa Daraja server from npm behind <c>mcpwarden stdio</c>, under a seed-style policy. What
/// reached the server is proven from its side: a wrapper records every line it received. The server's
/// HTTP client is pointed at a closed loopback port, so allowed calls fail at once and nothing leaves the
/// machine.
/// </summary>
public sealed class DarajaEndToEndTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-daraja-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Daraja_UnderASeedPolicy_OnlyAllowedCallsEverReachTheServer()
    {
        var record = Path.Combine(_directory, "received.jsonl");
        var configuration = Path.Combine(_directory, "mcpwarden.json");
        string Json(string value) => JsonSerializer.Serialize(value);
        await File.WriteAllTextAsync(configuration, $$"""
            { "mcpServers": { "daraja": {
                "command": "node",
                "args": [{{Json(Path.Combine(EndToEnd.Directory, "record-stdin.mjs"))}}, {{Json(record)}}, "node",
                         {{Json(Path.Combine(EndToEnd.Directory, "node_modules", "@meshark", "safaricom-daraja-mcp", "dist", "index.js"))}}],
                "env": { "DARAJA_CONSUMER_KEY": "dummy", "DARAJA_CONSUMER_SECRET": "dummy", "DARAJA_BUSINESS_SHORT_CODE": "174379",
                         "DARAJA_PASS_KEY": "dummy", "DARAJA_ENVIRONMENT": "sandbox",
                         "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9" },
                "policy": { "version": "1", "default": "deny", "tools": {
                  "daraja_stk_push": { "limits": [ { "counter": "stk_push_rate", "window": "minute", "max": 10, "scope": "grant" } ] },
                  "daraja_stk_query": {} } } } } }
            """, TestContext.Current.CancellationToken);
        await using var gateway = StdioGatewayProcess.Start(configuration);
        await gateway.InitializeAsync();

        await gateway.SendAsync("""{"jsonrpc":"2.0","id":"list","method":"tools/list"}""");
        var listed = (await gateway.AnswerToAsync("list")).GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(["daraja_stk_push", "daraja_stk_query"], listed.Order().ToArray());

        const string Push = """{"name":"daraja_stk_push","arguments":{"amount":10,"phone_number":"254708374149","callback_url":"https://example.com/cb","account_reference":"ref","transaction_desc":"test"}}""";
        for (var i = 1; i <= 11; i++)
        {
            await gateway.SendAsync($$"""{"jsonrpc":"2.0","id":{{i}},"method":"tools/call","params":{{Push}}}""");
            var answer = await gateway.AnswerToAsync(i);
            var refusal = PolicyCode(answer);
            if (i <= 10)
            {
                // Allowed: the server got it, and its own failure (no network) comes back, not a policy denial.
                Assert.Null(refusal);
            }
            else
            {
                Assert.Equal("rate_limited", refusal);
            }
        }

        await gateway.SendAsync("""{"jsonrpc":"2.0","id":"b2c","method":"tools/call","params":{"name":"daraja_b2c_payment","arguments":{"amount":10}}}""");
        Assert.Equal("default_deny", PolicyCode(await gateway.AnswerToAsync("b2c")));
        Assert.Equal(0, await gateway.CloseAsync());

        var calls = EndToEnd.ToolCallsReceived(record);
        Assert.Equal(Enumerable.Repeat("daraja_stk_push", 10), calls);
    }

    private static string? PolicyCode(JsonElement answer) =>
        answer.TryGetProperty("result", out var result)
        && result.TryGetProperty("_meta", out var meta)
        && meta.TryGetProperty("mcpwarden/policy", out var policy)
            ? policy.GetProperty("code").GetString()
            : null;
}
