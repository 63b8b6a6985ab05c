using System.Diagnostics;
using McpWarden.Testing;

namespace McpWarden.Tests.Gateway;

/// <summary>Real peers for end-to-end tests: the npm packages under tests/e2e, and the built mcpwarden.</summary>
internal static class EndToEnd
{
    public static string Directory => Path.Combine(RepositoryPaths.Root, "tests", "e2e");

    public static string ServerEverything => Path.Combine(Directory, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");

    public static string Gateway => Path.Combine(AppContext.BaseDirectory, "mcpwarden.dll");

    /// <summary>A configuration file fronting server-everything (over stdio) with <paramref name="policy"/>.</summary>
    public static string ConfigurationFor(string directory, string policy)
    {
        var path = Path.Combine(directory, "mcpwarden.json");
        File.WriteAllText(path, $$"""
            { "mcpServers": { "everything": {
                "command": "node", "args": [{{System.Text.Json.JsonSerializer.Serialize(ServerEverything)}}, "stdio"],
                "policy": {{policy}} } } }
            """);
        return path;
    }

    /// <summary>Runs a Node script from tests/e2e and returns its standard output (it fails the test on a non-zero exit).</summary>
    public static async Task<string> RunNodeAsync(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = Directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"node {script} exited with {process.ExitCode}:\n{await error}");
        }

        return await output;
    }
}
