using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Xunit;

namespace McpWarden.Tests.Gateway;

/// <summary>The C# SDK's own client through <c>mcpwarden stdio</c> and <c>mcpwarden serve</c> to server-everything.</summary>
public sealed class CSharpClientEndToEndTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-csharp-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(Front.Stdio)]
    [InlineData(Front.Http)]
    public async Task CSharpClient_ThroughTheGateway_SeesTheAllowedToolAndIsRefusedTheRest(Front front)
    {
        var configuration = EndToEnd.ConfigurationFor(_directory, """{ "version": "1", "default": "deny", "tools": { "echo": {} } }""");
        await using var gateway = front == Front.Http ? await ServeGatewayProcess.StartAsync(configuration) : null;

        // Over HTTP the client first probes the stateless 2026-07-28 revision, and falls back to initialize on the gateway's answer.
        IClientTransport transport = gateway is null
            ? new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = "mcpwarden",
                Command = "dotnet",
                Arguments = [EndToEnd.Gateway, "stdio", "--config", configuration],
            })
            : new HttpClientTransport(new HttpClientTransportOptions { Name = "mcpwarden", Endpoint = gateway.Endpoint("everything") });
        await using var client = await McpClient.CreateAsync(transport, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("mcp-servers/everything", client.ServerInfo!.Name);
        var tools = await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["echo"], tools.Select(t => t.Name).ToArray());

        var echoed = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "from C#" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("Echo: from C#", Assert.IsType<TextContentBlock>(Assert.Single(echoed.Content)).Text);

        var refused = await client.CallToolAsync("get-sum", new Dictionary<string, object?> { ["a"] = 1, ["b"] = 2 }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(refused.IsError);
        var policy = JsonSerializer.SerializeToElement(refused.Meta!["mcpwarden/policy"]);
        Assert.Equal("default_deny", policy.GetProperty("code").GetString());
    }
}
