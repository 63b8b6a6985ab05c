using System.Text.Json;
using Xunit;

namespace McpWarden.Tests.Gateway;

/// <summary>How the client reaches the gateway.</summary>
public enum Front
{
    Stdio,
    Http,
}

/// <summary>How the gateway reaches the server.</summary>
public enum Upstream
{
    Stdio,
    Http,

    /// <summary>Legacy HTTP+SSE, pinned with <c>"type": "sse"</c>.</summary>
    Sse,

    /// <summary>Legacy HTTP+SSE behind a bare <c>"url"</c>: the gateway finds out that Streamable HTTP is not served.</summary>
    SseDetected,
}

/// <summary>
/// The official TypeScript SDK client and server-everything, both real processes from npm, with the
/// gateway between them over every pairing of transports: what the agent sees, what the policy refuses,
/// and everything else relayed untouched.
/// </summary>
public sealed class TypeScriptClientEndToEndTests : IDisposable
{
    private const string EchoPolicy = """{ "version": "1", "default": "deny", "tools": { "echo": { "rate_limit": { "max": 3, "window": 60 } } } }""";

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-e2e-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(Front.Stdio, Upstream.Stdio)]
    [InlineData(Front.Stdio, Upstream.Http)]
    [InlineData(Front.Http, Upstream.Stdio)]
    [InlineData(Front.Http, Upstream.Http)]
    [InlineData(Front.Stdio, Upstream.Sse)]
    [InlineData(Front.Stdio, Upstream.SseDetected)]
    public async Task ThroughTheGateway_TheClientSeesOnlyAllowedToolsAndIsRefusedWithReasons(Front front, Upstream upstream)
    {
        var output = await RunClientAsync("stdio-client.mjs", EchoPolicy, front, upstream);
        using var report = JsonDocument.Parse(output);
        var root = report.RootElement;

        Assert.Equal("mcp-servers/everything", root.GetProperty("serverInfo").GetProperty("name").GetString());
        Assert.Equal(["echo"], root.GetProperty("tools").EnumerateArray().Select(t => t.GetString()!).ToArray());

        var echoes = root.GetProperty("echo").EnumerateArray().ToArray();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"Echo: hello {i}", echoes[i].GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
        }

        var limited = Policy(echoes[3]);
        Assert.Equal(("rate_limited", "/tools/echo/rate_limit"), (limited.GetProperty("code").GetString(), limited.GetProperty("rule").GetString()));
        Assert.InRange(limited.GetProperty("retryAfterSeconds").GetDouble(), 1, 60);
        Assert.True(echoes[3].GetProperty("result").GetProperty("isError").GetBoolean());

        Assert.Equal("default_deny", Policy(root.GetProperty("hidden")).GetProperty("code").GetString());
        Assert.Equal("invalid_arguments", Policy(root.GetProperty("badArguments")).GetProperty("code").GetString());

        var unknown = root.GetProperty("unknown").GetProperty("error");
        Assert.Equal(-32602, unknown.GetProperty("code").GetInt32());
        Assert.Equal("unknown_tool", unknown.GetProperty("data").GetProperty("code").GetString());

        Assert.True(root.GetProperty("ping").TryGetProperty("result", out _));
    }

    [Theory]
    [InlineData(Front.Stdio, Upstream.Stdio)]
    [InlineData(Front.Stdio, Upstream.Http)]
    [InlineData(Front.Http, Upstream.Stdio)]
    [InlineData(Front.Http, Upstream.Http)]
    [InlineData(Front.Stdio, Upstream.Sse)]
    [InlineData(Front.Http, Upstream.SseDetected)]
    public async Task ThroughTheGateway_EverythingElseIsRelayedUntouched(Front front, Upstream upstream)
    {
        var output = await RunClientAsync("relay-client.mjs", """{ "version": "1", "default": "allow", "tools": { "get-tiny-image": { "action": "deny", "reason": "images are off" } } }""", front, upstream);
        using var report = JsonDocument.Parse(output);
        var root = report.RootElement;

        // Tools registered after initialize for the client's capabilities arrive through list_changed.
        var tools = root.GetProperty("tools").EnumerateArray().Select(t => t.GetString()).ToArray();
        Assert.Contains("trigger-sampling-request", tools);
        Assert.Contains("get-roots-list", tools);
        Assert.DoesNotContain("get-tiny-image", tools);
        Assert.True(root.GetProperty("listChanged").GetInt32() >= 1);

        // Server-to-client requests reach the client and their answers reach the server.
        Assert.Equal("Resource trigger-sampling-request context: relay me", root.GetProperty("samplingPrompts")[0].GetString());
        Assert.Contains("sampled by the client", root.GetProperty("sampling").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, root.GetProperty("elicitations").GetInt32());
        Assert.Contains("declined", root.GetProperty("elicitation").GetString(), StringComparison.Ordinal);
        Assert.Contains("e2e-root", root.GetProperty("roots").GetString(), StringComparison.Ordinal);

        // Progress comes through in order (how many updates race the result is the server's business).
        var progress = root.GetProperty("progress").EnumerateArray().Select(p => p.GetDouble()).ToArray();
        Assert.NotEmpty(progress);
        Assert.Equal(progress.Order(), progress);
        Assert.Contains("completed", root.GetProperty("longRunning").GetString(), StringComparison.Ordinal);

        Assert.True(root.GetProperty("cancelled").TryGetProperty("error", out _));
        Assert.True(root.GetProperty("setLevel").TryGetProperty("result", out _));
        Assert.True(root.GetProperty("resourceCount").GetInt32() > 0);
        Assert.Equal(1, root.GetProperty("resourceRead").GetInt32());
        Assert.Contains("simple-prompt", root.GetProperty("prompts").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(1, root.GetProperty("prompt").GetInt32());

        var denied = root.GetProperty("deniedImage");
        Assert.True(denied.GetProperty("isError").GetBoolean());
        Assert.Equal("images are off", denied.GetProperty("_meta").GetProperty("mcpwarden/policy").GetProperty("message").GetString());
        Assert.True(root.GetProperty("pingAfterAll").TryGetProperty("result", out _));
    }

    /// <summary>Runs a client script against server-everything through the gateway, over the given transports.</summary>
    private async Task<string> RunClientAsync(string script, string policy, Front front, Upstream upstream)
    {
        await using var everything = upstream switch
        {
            Upstream.Http => await ServerEverythingOverHttp.StartAsync(),
            Upstream.Sse or Upstream.SseDetected => await ServerEverythingOverHttp.StartAsync("sse"),
            _ => null,
        };
        var configuration = EndToEnd.ConfigurationFor(_directory, policy, everything?.Endpoint, upstream == Upstream.Sse ? "sse" : null);
        if (front == Front.Stdio)
        {
            return await EndToEnd.RunNodeAsync(script, "dotnet", EndToEnd.Gateway, "stdio", "--config", configuration);
        }

        await using var gateway = await ServeGatewayProcess.StartAsync(configuration);
        return await EndToEnd.RunNodeAsync(script, "--http", gateway.Endpoint("everything").ToString());
    }

    private static JsonElement Policy(JsonElement outcome) =>
        outcome.GetProperty("result").GetProperty("_meta").GetProperty("mcpwarden/policy");
}
