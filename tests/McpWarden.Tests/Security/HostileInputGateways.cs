using System.Net;
using System.Security.Cryptography;
using McpWarden.Tests.Gateway;
using Xunit;

namespace McpWarden.Tests.Security;

/// <summary>
/// The real gateways the corpus is sent to, shared by every row: one <c>mcpwarden serve</c> and one
/// <c>mcpwarden stdio</c>, each in front of its own fixture server (as <c>payments</c>, with its own call log),
/// a 64 KiB message limit so that size cases stay cheap, and two grants so that a session stolen from another
/// grant means something. Cases sent before <c>initialize</c> on stdio need a session of their own: they take a
/// fresh process from a pool of one kept warm ahead.
/// </summary>
public sealed class HostileInputGateways : IAsyncLifetime
{
    public const int MaxMessageBytes = 64 * 1024;
    public const string AgentKey = "hostile-input-agent-key";
    public const string OtherKey = "hostile-input-other-key";

    /// <summary>The one tool a health check calls: allowed, read-only, answers with what it was called with.</summary>
    public const string AllowedTool = "get_balance";

    /// <summary>A tool of the fixture's that the policy does not allow.</summary>
    public const string RefusedTool = "delete_records";

    private const string Policy = """
        { "version": "1", "default": "deny", "tools": { "get_balance": {}, "mpesa_stk_push": {}, "run_workflow": {} } }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-hostile-").FullName;
    private readonly McpHttpExchange _mcp = new();
    private StdioGatewayProcess? _stdio;
    private ServeGatewayProcess? _serve;
    private StdioGatewayProcess? _spare;

    internal FixtureGateway HttpSide { get; private set; } = null!;

    internal FixtureGateway StdioSide { get; private set; } = null!;

    internal ServeGatewayProcess Serve => _serve!;

    /// <summary>The stdio gateway, initialized, for every case sent into an initialized session.</summary>
    internal StdioGatewayProcess Stdio => _stdio!;

    /// <summary>Sessions made for the cases to use: <c>own</c>, <c>other-grant</c>, <c>other-endpoint</c>, <c>ended</c>.</summary>
    internal IReadOnlyDictionary<string, string> Sessions { get; private set; } = new Dictionary<string, string>();

    /// <summary>A real call of <paramref name="tool"/> (by default <see cref="AllowedTool"/>) with request id <paramref name="id"/>.</summary>
    internal static string RealCall(string id, string tool = AllowedTool) =>
        "{\"jsonrpc\":\"2.0\",\"id\":\"" + id + "\",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{\"account\":\"all\"}}}";

    internal static Dictionary<string, string> Bearer(string key) => new() { ["Authorization"] = "Bearer " + key };

    public async ValueTask InitializeAsync()
    {
        HttpSide = Side("http");
        StdioSide = Side("stdio");
        _stdio = StartStdio();
        _serve = await ServeGatewayProcess.StartAsync(HttpSide.Configuration);

        var payments = _serve.Endpoint("payments");
        var ended = await _mcp.InitializeAsync(payments, Bearer(AgentKey));
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, payments))
        {
            var answer = await _mcp.SendAsync(delete, ended, Bearer(AgentKey));
            if (answer.Status != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"DELETE of a session got {(int)answer.Status}");
            }
        }

        Sessions = new Dictionary<string, string>
        {
            ["own"] = await _mcp.InitializeAsync(payments, Bearer(AgentKey)),
            ["other-grant"] = await _mcp.InitializeAsync(payments, Bearer(OtherKey)),
            ["other-endpoint"] = await _mcp.InitializeAsync(_serve.Endpoint(), Bearer(AgentKey)),
            ["ended"] = ended,
            ["unknown"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
        };
        await _stdio.InitializeAsync();
        // Only now, with the store file created: gateways that create one store at the same moment can race
        // (one of them may find it half made and refuse it), which is not what these cases are about.
        _spare = StartStdio();
    }

    /// <summary>A stdio gateway no message has reached yet; another is started to be ready for the next case.</summary>
    internal StdioGatewayProcess TakeFreshStdio()
    {
        var fresh = _spare!;
        _spare = StartStdio();
        return fresh;
    }

    public async ValueTask DisposeAsync()
    {
        _mcp.Dispose();
        foreach (var process in new IAsyncDisposable?[] { _stdio, _spare, _serve })
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        Directory.Delete(_directory, recursive: true);
    }

    private StdioGatewayProcess StartStdio() => StdioGatewayProcess.Start(StdioSide.Configuration, arguments: ["--grant", "agent"], lifetime: TimeSpan.FromMinutes(15));

    private FixtureGateway Side(string name)
    {
        var directory = Path.Combine(_directory, name);
        Directory.CreateDirectory(directory);
        return new FixtureGateway(directory, Policy, $$"""
            "maxMessageBytes": {{MaxMessageBytes}},
            "grants": {
              "agent": { "keySha256": "{{FixtureGateway.Sha256(AgentKey)}}", "servers": ["payments"] },
              "other": { "keySha256": "{{FixtureGateway.Sha256(OtherKey)}}", "servers": ["payments"] } },
            """);
    }
}
