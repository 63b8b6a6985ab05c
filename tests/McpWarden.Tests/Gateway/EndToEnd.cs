using System.Text.Json;
using McpWarden.Testing;

namespace McpWarden.Tests.Gateway;

/// <summary>Real peers for end-to-end tests: the npm packages under tests/e2e, and the built mcpwarden.</summary>
internal static class EndToEnd
{
    public static string Directory => Path.Combine(RepositoryPaths.Root, "tests", "e2e");

    public static string ServerEverything => Path.Combine(Directory, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");

    public static string Gateway => Path.Combine(AppContext.BaseDirectory, "mcpwarden.dll");

    /// <summary>The fixture MCP server (tests/McpWarden.Fixture), built beside the tests like the gateway.</summary>
    public static string Fixture => Path.Combine(AppContext.BaseDirectory, "mcpwarden-fixture.dll");

    /// <summary>
    /// A configuration file fronting server-everything with <paramref name="policy"/>: a child process over
    /// stdio, or the one already serving HTTP at <paramref name="upstream"/>, over the transport <paramref name="type"/>
    /// pins (none: the gateway detects it).
    /// </summary>
    public static string ConfigurationFor(string directory, string policy, Uri? upstream = null, string? type = null)
    {
        var path = Path.Combine(directory, "mcpwarden.json");
        var reach = upstream is null
            ? $$"""
                "command": "node", "args": [{{JsonSerializer.Serialize(ServerEverything)}}, "stdio"]
                """
            : $$"""
                "url": {{JsonSerializer.Serialize(upstream.ToString())}}{{(type is null ? "" : $", \"type\": {JsonSerializer.Serialize(type)}")}}
                """;
        File.WriteAllText(path, $$"""
            { "mcpServers": { "everything": {
                {{reach}},
                "policy": {{policy}} } } }
            """);
        return path;
    }

    /// <summary>Runs a Node script from tests/e2e and returns its standard output (it fails the test on a non-zero exit).</summary>
    public static async Task<string> RunNodeAsync(string script, params string[] arguments)
    {
        var result = await ProcessRunner.RunAsync("node", [script, .. arguments], Directory);
        return result.ExitCode == 0
            ? result.Output
            : throw new InvalidOperationException($"node {script} exited with {result.ExitCode}:\n{result.Error}");
    }

    /// <summary>A configuration fronting the faulty test server with a server entry's extra fields (env, timeout) and a policy.</summary>
    public static string FaultyServerConfiguration(string directory, string extraFields, string policy)
    {
        var path = Path.Combine(directory, "mcpwarden.json");
        File.WriteAllText(path, $$"""
            { "mcpServers": { "faulty": {
                "command": "node", "args": [{{JsonSerializer.Serialize(Path.Combine(Directory, "faulty-server.mjs"))}}],
                {{extraFields}},
                "policy": {{policy}} } } }
            """);
        return path;
    }

    /// <summary>The names of the tools a recording server was asked to call, in order (from its JSON-lines record).</summary>
    public static string[] ToolCallsReceived(string record) =>
        File.ReadAllLines(record)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(message => message.TryGetProperty("method", out var method) && method.GetString() == "tools/call")
            .Select(message => message.GetProperty("params").GetProperty("name").GetString()!)
            .ToArray();
}
