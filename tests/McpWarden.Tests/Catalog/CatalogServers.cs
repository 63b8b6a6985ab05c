using System.Diagnostics;
using System.Text.Json;
using McpWarden.Tests.Cli;
using McpWarden.Tests.Gateway;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Xunit;

namespace McpWarden.Tests.Catalog;

/// <summary>
/// One configuration with the real servers the catalogue is measured on: the fixture (as <c>payments</c>),
/// server-everything, server-filesystem (on a temporary directory), server-memory (its file in a temporary
/// directory) and the Daraja server from npm; and two that cannot be listed: a command that does not exist, and
/// a server that never answers. <c>mcpwarden inventory</c> runs once in each form, and each real server is also
/// listed by the C# SDK's own client, independently of the gateway's code, all at once.
/// </summary>
public sealed class CatalogServers : IAsyncLifetime
{
    public const string AdminToken = FixtureGateway.AdminToken;

    /// <summary>The servers that can be listed, in configured order.</summary>
    public static readonly string[] Listed = ["payments", "everything", "filesystem", "memory", "daraja"];

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-catalog-").FullName;

    public string Configuration => Path.Combine(_directory, "mcpwarden.json");

    /// <summary>The store the configuration names; no gateway has run with it.</summary>
    public string Store => Path.Combine(_directory, "state.db");

    /// <summary>Where the server that never answers writes its process id.</summary>
    public string SilentPidFile => Path.Combine(_directory, "silent.pid");

    internal ProcessRunner.Result Json { get; private set; } = null!;

    internal ProcessRunner.Result Table { get; private set; } = null!;

    public JsonElement Inventory { get; private set; }

    /// <summary>What the C# SDK client saw of each listable server.</summary>
    public IReadOnlyDictionary<string, (Implementation Info, string? Instructions, IReadOnlyList<Tool> Tools)> Independent { get; private set; } = null!;

    public JsonElement InventoryOf(string server) =>
        Inventory.GetProperty("servers").EnumerateArray().Single(s => s.GetProperty("server").GetString() == server);

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "files"));
        Directory.CreateDirectory(Path.Combine(_directory, "memory"));
        var servers = Servers();
        await File.WriteAllTextAsync(Configuration, $$"""
            { "mcpServers": {
                "payments": { {{Reach(servers["payments"])}},
                  "policy": { "version": "1", "default": "deny", "tools": {
                    "mpesa_stk_push": { "limits": [ { "counter": "stk_push_rate", "window": "minute", "max": 10, "scope": "grant" } ] } } } },
                "everything": { {{Reach(servers["everything"])}},
                  "policy": { "version": "1", "default": "deny", "tools": { "echo": {} } } },
                "filesystem": { {{Reach(servers["filesystem"])}}, "policy": { "version": "1", "default": "deny", "tools": {} } },
                "memory": { {{Reach(servers["memory"])}}, "policy": { "version": "1", "default": "deny", "tools": {} } },
                "daraja": { {{Reach(servers["daraja"])}}, "policy": { "version": "1", "default": "deny", "tools": {} } },
                "gone": { "command": {{Quote(Path.Combine(_directory, "no-such-server"))}}, "policy": { "version": "1", "default": "deny", "tools": {} } },
                "silent": { "command": "node", "args": ["-e", "require('fs').writeFileSync(process.argv[1], String(process.pid)); setInterval(() => {}, 1000)", {{Quote(SilentPidFile)}}],
                  "timeout": 2, "policy": { "version": "1", "default": "deny", "tools": {} } } },
              "store": { "path": {{Quote(Store)}} },
              "admin": { "tokenSha256": "{{FixtureGateway.Sha256(AdminToken)}}" } }
            """);

        var json = CliProcess.RunAsync("inventory", "--config", Configuration, "--json");
        var table = CliProcess.RunAsync("inventory", "--config", Configuration);
        var independent = servers.ToDictionary(s => s.Key, s => ListAsync(s.Key, s.Value));
        Json = await json;
        Table = await table;
        Assert.True(Json.ExitCode == 0, Json.Error);
        Inventory = JsonDocument.Parse(Json.Output).RootElement.Clone();
        var listed = new Dictionary<string, (Implementation, string?, IReadOnlyList<Tool>)>();
        foreach (var (name, task) in independent)
        {
            listed[name] = await task;
        }

        Independent = listed;
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>How each listable server is started: the same command, arguments and environment for the gateway and the SDK client.</summary>
    private Dictionary<string, (string Command, string[] Arguments, Dictionary<string, string> Environment)> Servers()
    {
        var modules = Path.Combine(EndToEnd.Directory, "node_modules");
        return new()
        {
            ["payments"] = ("dotnet", [EndToEnd.Fixture, "stdio"], new() { ["FIXTURE_CALL_LOG"] = Path.Combine(_directory, "calls.jsonl") }),
            ["everything"] = ("node", [EndToEnd.ServerEverything, "stdio"], []),
            ["filesystem"] = ("node", [Path.Combine(modules, "@modelcontextprotocol", "server-filesystem", "dist", "index.js"), Path.Combine(_directory, "files")], []),
            ["memory"] = ("node", [Path.Combine(modules, "@modelcontextprotocol", "server-memory", "dist", "index.js")], new() { ["MEMORY_FILE_PATH"] = Path.Combine(_directory, "memory", "graph.jsonl") }),
            // The Daraja server refuses to start without its credentials; dummy ones do, and nothing here calls a tool.
            ["daraja"] = ("node", [Path.Combine(modules, "@meshark", "safaricom-daraja-mcp", "dist", "index.js")], new()
            {
                ["DARAJA_CONSUMER_KEY"] = "dummy", ["DARAJA_CONSUMER_SECRET"] = "dummy", ["DARAJA_BUSINESS_SHORT_CODE"] = "174379",
                ["DARAJA_PASS_KEY"] = "dummy", ["DARAJA_ENVIRONMENT"] = "sandbox",
            }),
        };
    }

    private static string Reach((string Command, string[] Arguments, Dictionary<string, string> Environment) server) =>
        $"\"command\": {Quote(server.Command)}, \"args\": {JsonSerializer.Serialize(server.Arguments)}, \"env\": {JsonSerializer.Serialize(server.Environment)}";

    private static string Quote(string text) => JsonSerializer.Serialize(text);

    private static async Task<(Implementation, string?, IReadOnlyList<Tool>)> ListAsync(string name, (string Command, string[] Arguments, Dictionary<string, string> Environment) server)
    {
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = name,
            Command = server.Command,
            Arguments = server.Arguments,
            EnvironmentVariables = server.Environment.ToDictionary(e => e.Key, e => (string?)e.Value),
        });
        // The SDK client insists on the revision it asks for: the Daraja server speaks only 2024-11-05, the others the newest the gateway serves.
        await using var client = await McpClient.CreateAsync(transport, new McpClientOptions { ProtocolVersion = name == "daraja" ? "2024-11-05" : "2025-11-25" });
        var tools = await client.ListToolsAsync();
        return (client.ServerInfo!, client.ServerInstructions, [.. tools.Select(t => t.ProtocolTool)]);
    }

    /// <summary>Whether a process is gone (or was never there).</summary>
    public static bool Ended(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
