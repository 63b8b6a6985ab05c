using System.Text.Json;
using McpWarden.Tests.Gateway;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Xunit;

namespace McpWarden.Tests.Fixture;

/// <summary>The fixture over stdio, as the gateway fronts it when it is configured as a stdio upstream.</summary>
public sealed class FixtureStdioTests : IDisposable
{
    private static readonly string[] ConformanceTools =
    [
        "test_simple_text", "test_image_content", "test_audio_content", "test_embedded_resource", "test_multiple_content_types",
        "test_tool_with_logging", "test_tool_with_progress", "test_error_handling", "test_sampling", "test_elicitation",
        "test_elicitation_sep1034_defaults", "test_elicitation_sep1330_enums", "test_reconnection", "json_schema_2020_12_tool",
    ];

    private static readonly string[] RiskyTools = ["mpesa_stk_push", "b2c_payment", "delete_records", "run_workflow", "get_balance"];

    /// <summary>The tool the load harness calls (bench/McpWarden.Load).</summary>
    private static readonly string[] BenchTools = ["echo"];

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-fixture-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Stdio_InitializeAndList_OffersTheConformanceNamesTheRiskyToolsAndEcho()
    {
        await using var client = await ConnectAsync();

        Assert.Equal("mcpwarden-fixture", client.ServerInfo!.Name);
        var tools = await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([.. ConformanceTools, .. RiskyTools, .. BenchTools], tools.Select(tool => tool.Name).ToArray());
        var resources = await client.ListResourcesAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["test://static-text", "test://static-binary", "test://watched-resource"], resources.Select(resource => resource.Uri).ToArray());
        var templates = await client.ListResourceTemplatesAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["test://template/{id}/data"], templates.Select(template => template.UriTemplate).ToArray());
        var prompts = await client.ListPromptsAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["test_simple_prompt", "test_prompt_with_arguments", "test_prompt_with_embedded_resource", "test_prompt_with_image"], prompts.Select(prompt => prompt.Name).ToArray());
    }

    [Fact]
    public async Task Stdio_RiskyTools_CarryTheirAnnotations()
    {
        await using var client = await ConnectAsync();

        var tools = (await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken)).ToDictionary(tool => tool.Name, tool => tool.ProtocolTool);

        Assert.True(tools["delete_records"].Annotations?.DestructiveHint);
        Assert.True(tools["get_balance"].Annotations?.ReadOnlyHint);
        Assert.False(tools["mpesa_stk_push"].Annotations?.DestructiveHint);
        Assert.Null(tools["run_workflow"].Annotations);
        Assert.Equal(["phone", "amount", "account_reference"], tools["mpesa_stk_push"].InputSchema.GetProperty("required").EnumerateArray().Select(name => name.GetString()!).ToArray());
    }

    [Fact]
    public async Task Stdio_Echo_AnswersItsTextAndRefusesAnythingElse()
    {
        await using var client = await ConnectAsync();

        var tools = (await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken)).ToDictionary(tool => tool.Name, tool => tool.ProtocolTool);
        Assert.True(tools["echo"].Annotations?.ReadOnlyHint);
        Assert.Equal(4096, tools["echo"].InputSchema.GetProperty("properties").GetProperty("text").GetProperty("maxLength").GetInt32());

        var echoed = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = "héllo \"quoted\"\n" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotEqual(true, echoed.IsError);
        Assert.Equal("héllo \"quoted\"\n", Assert.IsType<TextContentBlock>(Assert.Single(echoed.Content)).Text);

        var wrong = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["text"] = 7 }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(wrong.IsError);
    }

    [Fact]
    public async Task Stdio_ACall_IsEchoedAndWrittenToTheCallLog()
    {
        var log = Path.Combine(_directory, "calls.jsonl");
        await using (var client = await ConnectAsync(log))
        {
            var result = await client.CallToolAsync("mpesa_stk_push", new Dictionary<string, object?> { ["phone"] = "254708374149", ["amount"] = 10, ["account_reference"] = "INV-1" }, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal("""mpesa_stk_push called with {"phone":"254708374149","amount":10,"account_reference":"INV-1"}""", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
            await client.CallToolAsync("get_balance", cancellationToken: TestContext.Current.CancellationToken);
        }

        var lines = File.ReadAllLines(log).Select(line => JsonDocument.Parse(line).RootElement).ToArray();
        Assert.Equal(["mpesa_stk_push", "get_balance"], lines.Select(line => line.GetProperty("tool").GetString()!).ToArray());
        Assert.Equal(10, lines[0].GetProperty("arguments").GetProperty("amount").GetInt32());
        Assert.False(lines[0].TryGetProperty("headers", out _), "a stdio call has no HTTP headers to record");
    }

    private static Task<McpClient> ConnectAsync(string? callLog = null) =>
        McpClient.CreateAsync(
            new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = "mcpwarden-fixture",
                Command = "dotnet",
                Arguments = [EndToEnd.Fixture, "stdio"],
                EnvironmentVariables = callLog is null ? new Dictionary<string, string?>() : new Dictionary<string, string?> { ["FIXTURE_CALL_LOG"] = callLog },
            }),
            cancellationToken: TestContext.Current.CancellationToken);
}
