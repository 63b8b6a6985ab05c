using System.Text.Json;
using Xunit;

namespace McpWarden.Tests.Gateway;

/// <summary>
/// <c>mcpwarden stdio</c> without <c>--server</c>, and <c>/mcp</c> of <c>mcpwarden serve</c>, in front of two real servers from npm, server-everything and
/// the Daraja server, each under its own policy, driven by the official TypeScript SDK client: one session,
/// tools named <c>{server}__{tool}</c>, each call decided by its own server's policy. What reached Daraja is
/// recorded on its side; its HTTP client points at a closed loopback port, so nothing leaves the machine.
/// </summary>
public sealed class AggregateEndToEndTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-aggregate-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(Front.Stdio)]
    [InlineData(Front.Http)]
    public async Task TypeScriptClient_SeesEveryServerBehindOneSession_AndEachServersPolicyDecidesItsCalls(Front front)
    {
        var record = Path.Combine(_directory, "daraja-received.jsonl");
        var configuration = Path.Combine(_directory, "mcpwarden.json");
        string Json(string value) => JsonSerializer.Serialize(value);
        await File.WriteAllTextAsync(configuration, $$"""
            { "mcpServers": {
                "everything": {
                  "command": "node", "args": [{{Json(EndToEnd.ServerEverything)}}, "stdio"],
                  "policy": { "version": "1", "default": "deny", "tools": { "echo": {} } } },
                "daraja": {
                  "command": "node",
                  "args": [{{Json(Path.Combine(EndToEnd.Directory, "record-stdin.mjs"))}}, {{Json(record)}}, "node",
                           {{Json(Path.Combine(EndToEnd.Directory, "node_modules", "@meshark", "safaricom-daraja-mcp", "dist", "index.js"))}}],
                  "env": { "DARAJA_CONSUMER_KEY": "dummy", "DARAJA_CONSUMER_SECRET": "dummy", "DARAJA_BUSINESS_SHORT_CODE": "174379",
                           "DARAJA_PASS_KEY": "dummy", "DARAJA_ENVIRONMENT": "sandbox",
                           "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9" },
                  "policy": { "version": "1", "default": "deny", "tools": { "daraja_stk_push": {} } } } } }
            """, TestContext.Current.CancellationToken);

        string output;
        if (front == Front.Stdio)
        {
            output = await EndToEnd.RunNodeAsync("aggregate-client.mjs", "dotnet", EndToEnd.Gateway, "stdio", "--config", configuration);
        }
        else
        {
            await using var gateway = await ServeGatewayProcess.StartAsync(configuration);
            output = await EndToEnd.RunNodeAsync("aggregate-client.mjs", "--http", gateway.Endpoint().ToString());
        }

        using var report = JsonDocument.Parse(output);
        var root = report.RootElement;

        // One session that introduces itself, with what any server offers, and each server's instructions under its name.
        Assert.Equal("mcpwarden", root.GetProperty("serverInfo").GetProperty("name").GetString());
        var capabilities = root.GetProperty("capabilities");
        foreach (var feature in new[] { "tools", "prompts", "resources", "logging" })
        {
            Assert.True(capabilities.TryGetProperty(feature, out _), feature);
        }

        Assert.StartsWith("## everything\n\n", root.GetProperty("instructions").GetString(), StringComparison.Ordinal);

        // Each server's tools as its policy shows them, named after their server.
        Assert.Equal(["daraja__daraja_stk_push", "everything__echo"], Strings(root.GetProperty("tools")).Order(StringComparer.Ordinal).ToArray());

        // A call routed to each server: everything answers; Daraja is reached and fails on its own (no network), not by policy.
        Assert.Equal("Echo: through the aggregate", root.GetProperty("echo").GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Null(PolicyCode(root.GetProperty("stkPush")));

        // Each server's policy refuses what it does not allow; a server the session does not have is an unknown tool.
        Assert.Equal("default_deny", PolicyCode(root.GetProperty("b2c")));
        Assert.Equal("default_deny", PolicyCode(root.GetProperty("hiddenSum")));
        var unknown = root.GetProperty("unknownServer").GetProperty("error");
        Assert.Equal(-32602, unknown.GetProperty("code").GetInt32());
        Assert.Equal("unknown_tool", unknown.GetProperty("data").GetProperty("code").GetString());

        // Prompts and resources from server-everything: a prefixed prompt, a listed resource and one only a template produces.
        Assert.Contains("everything__simple-prompt", Strings(root.GetProperty("prompts")));
        Assert.Equal(1, root.GetProperty("prompt").GetProperty("result").GetProperty("messages").GetArrayLength());
        Assert.NotEmpty(Strings(root.GetProperty("resources")));
        Assert.Equal(1, root.GetProperty("resourceRead").GetProperty("result").GetProperty("contents").GetArrayLength());
        Assert.Equal("demo://resource/dynamic/text/7", root.GetProperty("templatedRead").GetProperty("result").GetProperty("contents")[0].GetProperty("uri").GetString());

        Assert.True(root.GetProperty("setLevel").TryGetProperty("result", out _));
        Assert.True(root.GetProperty("ping").TryGetProperty("result", out _));

        // Daraja itself saw the allowed call under its own name, and never the refused one.
        Assert.Equal(["daraja_stk_push"], EndToEnd.ToolCallsReceived(record));
    }

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    private static string? PolicyCode(JsonElement outcome) =>
        outcome.TryGetProperty("result", out var result)
        && result.TryGetProperty("_meta", out var meta)
        && meta.TryGetProperty("mcpwarden/policy", out var policy)
            ? policy.GetProperty("code").GetString()
            : null;
}
