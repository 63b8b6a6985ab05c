using System.Text.Json;
using McpWarden.Tests.Fixture;
using McpWarden.Tests.Gateway;

namespace McpWarden.Tests.Security;

/// <summary>
/// The real <c>mcpwarden serve</c> (with its default SQLite store beside the configuration) in front of the
/// fixture server over Streamable HTTP as the server <c>fixture</c>. Over HTTP a new client session costs the
/// gateway a connection rather than a process, so tests can open hundreds. The fixture's call log shows what ran.
/// </summary>
internal sealed class HttpFixtureGateway : IAsyncDisposable
{
    private FixtureHttpProcess? _fixture;

    private HttpFixtureGateway(string directory) => Directory = directory;

    public string Directory { get; }

    public string CallLog => Path.Combine(Directory, "calls.jsonl");

    public ServeGatewayProcess Gateway { get; private set; } = null!;

    public Uri Endpoint => Gateway.Endpoint("fixture");

    /// <param name="policy">The fixture's policy.</param>
    /// <param name="topLevelFields">More top-level configuration fields, each followed by a comma (grants, admin).</param>
    public static async Task<HttpFixtureGateway> StartAsync(string policy, string topLevelFields = "")
    {
        var started = new HttpFixtureGateway(System.IO.Directory.CreateTempSubdirectory("mcpwarden-bypass-http-").FullName);
        started._fixture = await FixtureHttpProcess.StartAsync(new Dictionary<string, string> { ["FIXTURE_CALL_LOG"] = started.CallLog });
        var configuration = Path.Combine(started.Directory, "mcpwarden.json");
        await File.WriteAllTextAsync(configuration, $$"""
            { {{topLevelFields}}
              "mcpServers": { "fixture": { "url": {{JsonSerializer.Serialize(started._fixture.Url.ToString())}}, "type": "http", "policy": {{policy}} } } }
            """);
        started.Gateway = await ServeGatewayProcess.StartAsync(configuration);
        return started;
    }

    /// <summary>The calls the fixture ran, with their arguments.</summary>
    public IReadOnlyList<JsonElement> CallsReceived() =>
        File.Exists(CallLog) ? [.. File.ReadAllLines(CallLog).Select(line => JsonDocument.Parse(line).RootElement.Clone())] : [];

    /// <summary>Whether the fixture ran a call whose log line carries <paramref name="marker"/> anywhere.</summary>
    public bool Received(string marker) => File.Exists(CallLog) && File.ReadAllText(CallLog).Contains(marker, StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }

        if (_fixture is not null)
        {
            await _fixture.DisposeAsync();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
