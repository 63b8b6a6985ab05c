namespace McpWarden.Load.Compare;

/// <summary>Where the programs a run starts are: the gateway and the fixture built beside the harness, mcp-proxy under tests/e2e.</summary>
internal sealed record BenchPaths(string Root, string Gateway, string Fixture, string McpProxy)
{
    /// <summary>Overrides where mcp-proxy's entry script is (for a copy installed elsewhere than tests/e2e).</summary>
    public const string McpProxyVariable = "MCPWARDEN_MCP_PROXY";

    public static BenchPaths Find(string? mcpProxy)
    {
        var root = RepositoryRoot();
        var fromEnvironment = Environment.GetEnvironmentVariable(McpProxyVariable);
        var proxy = mcpProxy
            ?? (string.IsNullOrEmpty(fromEnvironment) ? Path.Combine(root, "tests", "e2e", "node_modules", "mcp-proxy", "dist", "bin", "mcp-proxy.mjs") : fromEnvironment);
        return new BenchPaths(root, Beside("mcpwarden.dll"), Beside("mcpwarden-fixture.dll"), Path.GetFullPath(proxy));
    }

    /// <summary>mcp-proxy's package.json, for its version.</summary>
    public string McpProxyPackage => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(McpProxy)!, "..", "..", "package.json"));

    private static string Beside(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{file} is not built beside the harness ({path}); bench/load.sh builds it");
    }

    /// <summary>The directory that holds McpWarden.slnx, above the harness's build output; the current directory if none does.</summary>
    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "McpWarden.slnx")))
            {
                return directory.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
