using System.Text.Json;
using Xunit;

namespace McpWarden.Tests.Gateway;

/// <summary><c>mcpwarden stdio --grant NAME</c>: the grant is the caller, for its budgets and for the servers it may reach.</summary>
public sealed class StdioGrantEndToEndTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-stdio-grant-").FullName;
    private readonly string _configuration;

    public StdioGrantEndToEndTests()
    {
        _configuration = Path.Combine(_directory, "mcpwarden.json");
        var fixture = $$"""
            { "command": "dotnet", "args": [{{JsonSerializer.Serialize(EndToEnd.Fixture)}}, "stdio"], "policy": { "version": "1", "default": "deny", "tools": {
                "run_workflow": { "limits": [ { "counter": "per_grant", "window": "hour", "max": 2, "scope": "grant" } ] } } } }
            """;
        File.WriteAllText(_configuration, $$"""
            { "mcpServers": { "fixture": {{fixture}}, "other": {{fixture}} },
              "grants": { "ops": { "keySha256": "{{new string('0', 64)}}", "servers": ["fixture"] } } }
            """);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Stdio_GrantScopedLimit_IsCountedForTheGrantGiven()
    {
        await using var gateway = StdioGatewayProcess.Start(_configuration, arguments: ["--grant", "ops"]);
        await gateway.InitializeAsync();

        var codes = new List<string?>();
        for (var id = 1; id <= 3; id++)
        {
            const string Arguments = """{"workflow_id":"nightly"}""";
            await gateway.SendAsync($$$"""{"jsonrpc":"2.0","id":{{{id}}},"method":"tools/call","params":{"name":"run_workflow","arguments":{{{Arguments}}}}}""");
            var result = (await gateway.AnswerToAsync(id)).GetProperty("result");
            codes.Add(result.TryGetProperty("isError", out var isError) && isError.GetBoolean()
                ? result.GetProperty("_meta").GetProperty("mcpwarden/policy").GetProperty("code").GetString()
                : null);
        }

        Assert.Equal([null, null, "rate_limited"], codes);
        Assert.Equal(0, await gateway.CloseAsync());
    }

    [Fact]
    public async Task Stdio_GrantLimitedToOneServer_ServesOnlyThatOne()
    {
        await using var gateway = StdioGatewayProcess.Start(_configuration, arguments: ["--grant", "ops"]);
        await gateway.InitializeAsync();
        await gateway.SendAsync("""{"jsonrpc":"2.0","id":"list","method":"tools/list"}""");

        // One server is served as it is, without the {server}__ prefix of an aggregate.
        var tools = (await gateway.AnswerToAsync("list")).GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(["run_workflow"], tools);

        var outside = await ProcessRunner.RunAsync("dotnet", [EndToEnd.Gateway, "stdio", "--config", _configuration, "--grant", "ops", "--server", "other"], _directory);
        Assert.Equal(2, outside.ExitCode);
        Assert.Contains("the grant \"ops\" may not reach the server \"other\" (it may reach: fixture)", outside.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stdio_UnknownGrant_ExitsTwoNamingIt()
    {
        var result = await ProcessRunner.RunAsync("dotnet", [EndToEnd.Gateway, "stdio", "--config", _configuration, "--grant", "nobody"], _directory);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("the configuration has no grant \"nobody\"", result.Error, StringComparison.Ordinal);
    }
}
