using System.Text.Json;
using McpWarden.Testing;
using McpWarden.Tests.Fixture;
using McpWarden.Tests.Gateway;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpWarden.Tests.Replicas;

/// <summary>
/// Real processes as a deployment runs them: a redis-server, the fixture server over HTTP (whose call log shows
/// what got through), and <c>mcpwarden serve</c> replicas sharing the Redis, each with its own audit file.
/// </summary>
internal sealed class ReplicaSet : IAsyncDisposable
{
    public const string KeyA = "key-of-grant-a";
    public const string KeyB = "key-of-grant-b";

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-replicas-").FullName;
    private readonly List<ServeGatewayProcess> _replicas = [];
    private FixtureHttpProcess? _fixture;

    public RedisServer Redis { get; private set; } = null!;

    public IReadOnlyList<ServeGatewayProcess> Replicas => _replicas;

    public string CallLog => Path.Combine(_directory, "calls.jsonl");

    /// <summary>Starts Redis, the fixture and one replica per entry of <paramref name="storeExtras"/> (extra <c>store</c> fields, such as <c>"failOpen": true</c>).</summary>
    public static async Task<ReplicaSet> StartAsync(string policy, params string[] storeExtras)
    {
        var set = new ReplicaSet();
        try
        {
            set.Redis = await RedisServer.StartAsync();
            set._fixture = await FixtureHttpProcess.StartAsync(new Dictionary<string, string> { ["FIXTURE_CALL_LOG"] = set.CallLog });
            for (var i = 0; i < storeExtras.Length; i++)
            {
                var configuration = Path.Combine(set._directory, $"replica-{i}.json");
                await File.WriteAllTextAsync(configuration, $$"""
                    { "mcpServers": { "fixture": { "url": {{JsonSerializer.Serialize(set._fixture.Url.ToString())}}, "type": "http", "policy": {{policy}} } },
                      "grants": { "a": { "keySha256": "{{FixtureGateway.Sha256(KeyA)}}" }, "b": { "keySha256": "{{FixtureGateway.Sha256(KeyB)}}" } },
                      "admin": { "tokenSha256": "{{FixtureGateway.Sha256(FixtureGateway.AdminToken)}}" },
                      "store": { "redis": "{{set.Redis.Endpoint}}", "path": "replica-{{i}}.db" {{storeExtras[i]}} } }
                    """);
                set._replicas.Add(await ServeGatewayProcess.StartAsync(configuration));
            }

            return set;
        }
        catch
        {
            await set.DisposeAsync();
            throw;
        }
    }

    /// <summary>A real MCP client (the C# SDK) of a grant, connected to one replica.</summary>
    public static Task<McpClient> ConnectAsync(ServeGatewayProcess replica, string key, CancellationToken cancellationToken) =>
        McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions
            {
                Name = "replica-client",
                Endpoint = replica.Endpoint("fixture"),
                AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + key },
            }),
            cancellationToken: cancellationToken);

    /// <summary>The reason code of a refused call, or null when the call went through.</summary>
    public static string? RefusalCode(CallToolResult result) =>
        result.IsError is true && result.Meta?["mcpwarden/policy"] is { } policy
            ? JsonSerializer.SerializeToElement(policy).GetProperty("code").GetString()
            : result.IsError is true ? "error: " + JsonSerializer.Serialize(result.Content) : null;

    /// <summary>The message of a refused call's policy metadata.</summary>
    public static string RefusalMessage(CallToolResult result) =>
        JsonSerializer.SerializeToElement(result.Meta!["mcpwarden/policy"]).GetProperty("message").GetString()!;

    /// <summary>How many calls of a tool reached the fixture.</summary>
    public int CallsReceived(string tool) =>
        File.Exists(CallLog) ? File.ReadAllLines(CallLog).Count(line => JsonDocument.Parse(line).RootElement.GetProperty("tool").GetString() == tool) : 0;

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        if (_fixture is not null)
        {
            await _fixture.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }
}
