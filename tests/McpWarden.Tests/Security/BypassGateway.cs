using System.Text.Json;
using McpWarden.Tests.Gateway;
using Xunit;

namespace McpWarden.Tests.Security;

/// <summary>
/// One real <c>mcpwarden serve</c> shared by a test class, in front of two fixture servers with call logs of
/// their own: <c>payments</c> (only <c>get_balance</c>, and <c>b2c_payment</c> up to 100) and <c>files</c>
/// (only <c>delete_records</c> and <c>get_balance</c>). The same tool is denied on one and allowed on the other,
/// so a name that confuses the two servers shows up in the wrong log.
/// </summary>
public sealed class BypassGateway : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-bypass-").FullName;
    private static readonly string[] Servers = ["payments", "files"];

    private readonly Dictionary<Uri, string> _sessions = [];
    private ServeGatewayProcess? _gateway;
    private int _nextId;

    public string Configuration => Path.Combine(_directory, "mcpwarden.json");

    internal ServeGatewayProcess Gateway => _gateway!;

    public string CallLog(string server) => Path.Combine(_directory, server + "-calls.jsonl");

    public async ValueTask InitializeAsync()
    {
        string Server(string name, string tools) => $$"""
            {{JsonSerializer.Serialize(name)}}: {
              "command": "dotnet", "args": [{{JsonSerializer.Serialize(EndToEnd.Fixture)}}, "stdio"],
              "env": { "FIXTURE_CALL_LOG": {{JsonSerializer.Serialize(CallLog(name))}} },
              "policy": { "version": "1", "default": "deny", "tools": {{tools}} } }
            """;
        await File.WriteAllTextAsync(Configuration, $$"""
            { "mcpServers": {
                {{Server("payments", """{ "get_balance": {}, "b2c_payment": { "arguments": { "properties": { "amount": { "maximum": 100 } } } } }""")}},
                {{Server("files", """{ "delete_records": {}, "get_balance": {} }""")}} } }
            """);
        _gateway = await ServeGatewayProcess.StartAsync(Configuration);
    }

    /// <summary>
    /// One session per endpoint for the whole class: each new session starts server processes, which on a
    /// small machine costs seconds, and a refused call leaves its session as it was.
    /// </summary>
    internal async Task<string> SessionAsync(McpHttpExchange mcp, Uri endpoint)
    {
        if (!_sessions.TryGetValue(endpoint, out var session))
        {
            session = await mcp.InitializeAsync(endpoint);
            _sessions[endpoint] = session;
        }

        return session;
    }

    /// <summary>A request id not used before in this class's sessions.</summary>
    public int NextId() => Interlocked.Increment(ref _nextId);

    /// <summary>The calls a server ran, with their arguments.</summary>
    public IReadOnlyList<JsonElement> CallsReceived(string server) =>
        File.Exists(CallLog(server)) ? [.. File.ReadAllLines(CallLog(server)).Select(line => JsonDocument.Parse(line).RootElement.Clone())] : [];

    /// <summary>Whether any server ran a call whose arguments carry <paramref name="marker"/> anywhere.</summary>
    public bool AnyServerReceived(string marker) =>
        Servers.Any(server => File.Exists(CallLog(server)) && File.ReadAllText(CallLog(server)).Contains(marker, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }
}
