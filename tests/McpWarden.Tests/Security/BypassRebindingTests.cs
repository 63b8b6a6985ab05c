using System.Globalization;
using System.Net;
using McpWarden.Tests.Gateway;
using Xunit;

namespace McpWarden.Tests.Security;

/// <summary>
/// DNS rebinding against the real <c>mcpwarden serve</c> on loopback: a web page whose name resolves to
/// 127.0.0.1 sends its own name as <c>Host</c>, and a browser adds the page's <c>Origin</c>. Each value is
/// tried on a <c>tools/call</c> in an open session; refused ones never reach the fixture, loopback ones do.
/// </summary>
[Trait("Security", "bypass")]
public sealed class BypassRebindingTests(BypassRebindingTests.LoopbackGateway shared) : IClassFixture<BypassRebindingTests.LoopbackGateway>, IDisposable
{
    private readonly McpHttpExchange _mcp = new();

    public void Dispose() => _mcp.Dispose();

    /// <summary>Host values; PORT is the gateway's port.</summary>
    public static TheoryData<string, HttpStatusCode> Hosts => new()
    {
        { "evil.example", HttpStatusCode.Forbidden },
        { "evil.example:PORT", HttpStatusCode.Forbidden },
        { "127.0.0.1.nip.io", HttpStatusCode.Forbidden },
        { "127.0.0.1.nip.io:PORT", HttpStatusCode.Forbidden },
        { "localhost.evil.example:PORT", HttpStatusCode.Forbidden },
        { "localhost.:PORT", HttpStatusCode.Forbidden },
        { "0.0.0.0:PORT", HttpStatusCode.Forbidden },
        // Kestrel itself refuses the unspecified address as a Host, before the gateway's check.
        { "[::]:PORT", HttpStatusCode.BadRequest },
        { "[::2]:PORT", HttpStatusCode.Forbidden },
        { "10.0.0.1:PORT", HttpStatusCode.Forbidden },
        { "127.0.0.1", HttpStatusCode.OK },
        { "127.0.0.1:PORT", HttpStatusCode.OK },
        { "127.8.9.10:PORT", HttpStatusCode.OK },
        { "localhost", HttpStatusCode.OK },
        { "localhost:PORT", HttpStatusCode.OK },
        { "LocalHost:PORT", HttpStatusCode.OK },
        { "[::1]", HttpStatusCode.OK },
        { "[::1]:PORT", HttpStatusCode.OK },
        { "[0:0:0:0:0:0:0:1]:PORT", HttpStatusCode.OK },
    };

    /// <summary>Origin values (with a loopback Host); PORT is the gateway's port.</summary>
    public static TheoryData<string, HttpStatusCode> Origins => new()
    {
        { "null", HttpStatusCode.Forbidden },
        { "http://evil.example", HttpStatusCode.Forbidden },
        { "https://evil.example:PORT", HttpStatusCode.Forbidden },
        { "http://127.0.0.1.nip.io:PORT", HttpStatusCode.Forbidden },
        { "http://localhost.evil.example:PORT", HttpStatusCode.Forbidden },
        { "http://0.0.0.0:PORT", HttpStatusCode.Forbidden },
        { "file://", HttpStatusCode.Forbidden },
        { "chrome-extension://abcdefghijklmnop", HttpStatusCode.Forbidden },
        { "http://localhost:PORT", HttpStatusCode.OK },
        { "http://127.0.0.1:PORT", HttpStatusCode.OK },
        { "http://[::1]:PORT", HttpStatusCode.OK },
        // Another port on this machine is still this machine: a local tool (an inspector, a dev server) may call the gateway.
        { "http://localhost:1", HttpStatusCode.OK },
    };

    [Theory]
    [MemberData(nameof(Hosts))]
    public Task Host_OnlyLoopbackNamesReachTheServer(string host, HttpStatusCode status) => TryAsync("Host", host, status);

    [Theory]
    [MemberData(nameof(Origins))]
    public Task Origin_OnlyLoopbackOriginsReachTheServer(string origin, HttpStatusCode status) => TryAsync("Origin", origin, status);

    [Fact]
    public async Task AReboundPage_CannotOpenASession_ListTools_OrEndASession()
    {
        var rebound = new Dictionary<string, string> { ["Host"] = "evil.example:" + Port };
        Assert.Equal(HttpStatusCode.Forbidden, (await _mcp.PostAsync(shared.Gateway.Endpoint, McpHttpExchange.Initialize, headers: rebound)).Status);
        var session = await shared.SessionAsync(_mcp);
        Assert.Equal(HttpStatusCode.Forbidden, (await _mcp.PostAsync(shared.Gateway.Endpoint, """{"jsonrpc":"2.0","id":"list","method":"tools/list"}""", session, rebound)).Status);
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, shared.Gateway.Endpoint))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await _mcp.SendAsync(delete, session, rebound)).Status);
        }

        using (var get = new HttpRequestMessage(HttpMethod.Get, shared.Gateway.Endpoint))
        {
            get.Headers.Add("Accept", "text/event-stream");
            Assert.Equal(HttpStatusCode.Forbidden, (await _mcp.SendAsync(get, session, new Dictionary<string, string> { ["Origin"] = "http://evil.example" })).Status);
        }

        // The session the page tried to end still serves.
        Assert.Null(Refusals.ReasonCode((await _mcp.PostAsync(shared.Gateway.Endpoint, Refusals.Call("after", "run_workflow", """{"workflow_id":"after-rebinding"}"""), session)).Last));
    }

    private string Port => shared.Gateway.Gateway.BaseUrl.Port.ToString(CultureInfo.InvariantCulture);

    private async Task TryAsync(string header, string value, HttpStatusCode status)
    {
        value = value.Replace("PORT", Port, StringComparison.Ordinal);
        var session = await shared.SessionAsync(_mcp);
        var marker = "rebinding-" + Guid.NewGuid().ToString("N");

        var answer = await _mcp.PostAsync(shared.Gateway.Endpoint, Refusals.Call(marker, "run_workflow", $$"""{"workflow_id":"{{marker}}"}"""), session, new Dictionary<string, string> { [header] = value });

        Assert.Equal(status, answer.Status);
        if (status == HttpStatusCode.OK)
        {
            Assert.Null(Refusals.ReasonCode(answer.Last));
            Assert.True(shared.Gateway.Received(marker), $"{header}: {value} was accepted but the call did not reach the server");
        }
        else
        {
            Assert.True(status != HttpStatusCode.Forbidden || answer.ErrorMessage.Contains(header, StringComparison.Ordinal), "the refusal does not say which header is wrong");
            Assert.False(shared.Gateway.Received(marker), $"{header}: {value} reached the server");
        }
    }

    /// <summary>One gateway and one session for the class: the checks come before any session work.</summary>
    public sealed class LoopbackGateway : IAsyncLifetime
    {
        private string? _session;

        internal HttpFixtureGateway Gateway { get; private set; } = null!;

        public async ValueTask InitializeAsync() =>
            Gateway = await HttpFixtureGateway.StartAsync("""{ "version": "1", "default": "deny", "tools": { "run_workflow": {} } }""");

        internal async Task<string> SessionAsync(McpHttpExchange mcp) => _session ??= await mcp.InitializeAsync(Gateway.Endpoint);

        public async ValueTask DisposeAsync()
        {
            if (Gateway is not null)
            {
                await Gateway.DisposeAsync();
            }
        }
    }
}
