using McpWarden.Testing;

namespace McpWarden.Tests.Cli;

/// <summary>Runs the real <c>mcpwarden</c> executable from the repository root, as a user or script would.</summary>
internal static class CliProcess
{
    public static Task<ProcessRunner.Result> RunAsync(params string[] arguments) =>
        ProcessRunner.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "mcpwarden.dll"), .. arguments], RepositoryPaths.Root);
}
