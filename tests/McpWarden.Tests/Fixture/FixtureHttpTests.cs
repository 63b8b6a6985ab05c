using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using McpWarden.Tests.Gateway;
using Xunit;

namespace McpWarden.Tests.Fixture;

/// <summary>The fixture's own Streamable HTTP plumbing, where the conformance suite does not look.</summary>
public sealed class FixtureHttpTests
{
    private const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}}""";
    private const string ListTools = """{"jsonrpc":"2.0","id":2,"method":"tools/list"}""";

    [Fact]
    public async Task Sessions_UnknownOrDeleted_AreNotFound_AndAMissingOneIsABadRequest()
    {
        await using var fixture = await FixtureHttpProcess.StartAsync();
        using var http = new HttpClient();

        using var initialized = await PostAsync(http, fixture.Url, Initialize, session: null);
        Assert.Equal(HttpStatusCode.OK, initialized.StatusCode);
        var session = Assert.Single(initialized.Headers.GetValues("Mcp-Session-Id"));

        using var listed = await PostAsync(http, fixture.Url, ListTools, session);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Contains("mpesa_stk_push", await listed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        using var missing = await PostAsync(http, fixture.Url, ListTools, session: null);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        using var unknown = await PostAsync(http, fixture.Url, ListTools, "no-such-session");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        using var delete = new HttpRequestMessage(HttpMethod.Delete, fixture.Url);
        delete.Headers.Add("Mcp-Session-Id", session);
        using var deleted = await http.SendAsync(delete, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        using var afterDelete = await PostAsync(http, fixture.Url, ListTools, session);
        Assert.Equal(HttpStatusCode.NotFound, afterDelete.StatusCode);
    }

    [Fact]
    public async Task Post_FromAnotherHostOrOrigin_IsForbidden()
    {
        await using var fixture = await FixtureHttpProcess.StartAsync();
        using var http = new HttpClient();

        using var rebound = await PostAsync(http, fixture.Url, Initialize, session: null, request => request.Headers.Host = "evil.example.com");
        Assert.Equal(HttpStatusCode.Forbidden, rebound.StatusCode);
        using var foreignPage = await PostAsync(http, fixture.Url, Initialize, session: null, request => request.Headers.Add("Origin", "http://evil.example.com"));
        Assert.Equal(HttpStatusCode.Forbidden, foreignPage.StatusCode);
        using var localPage = await PostAsync(http, fixture.Url, Initialize, session: null, request => request.Headers.Add("Origin", $"http://localhost:{fixture.Url.Port}"));
        Assert.Equal(HttpStatusCode.OK, localPage.StatusCode);
    }

    [Fact]
    public async Task Post_ASessionlessProtocolVersion_IsRefusedSoTheClientFallsBackToInitialize()
    {
        await using var fixture = await FixtureHttpProcess.StartAsync();
        using var http = new HttpClient();

        using var probe = await PostAsync(http, fixture.Url, """{"jsonrpc":"2.0","id":1,"method":"server/discover"}""", session: null, request => request.Headers.Add("MCP-Protocol-Version", "2026-07-28"));

        Assert.Equal(HttpStatusCode.BadRequest, probe.StatusCode);
        Assert.Contains("-32000", await probe.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_ACall_IsWrittenToTheCallLogWithTheHeadersOfItsRequest()
    {
        var log = Path.Combine(Path.GetTempPath(), $"mcpwarden-fixture-calls-{Guid.NewGuid():N}.jsonl");
        try
        {
            await using (var fixture = await FixtureHttpProcess.StartAsync(new Dictionary<string, string> { ["FIXTURE_CALL_LOG"] = log }))
            {
                using var mcp = new McpHttpExchange();
                var headers = new Dictionary<string, string> { ["Authorization"] = "Bearer seen-by-the-server", ["X-Trace"] = "t-1" };
                var session = await mcp.InitializeAsync(fixture.Url, headers);
                var answer = await mcp.PostAsync(fixture.Url, McpHttpExchange.Call(1, "get_balance"), session, headers);
                Assert.True(answer.Last.TryGetProperty("result", out _), answer.Last.GetRawText());
            }

            var entry = JsonDocument.Parse(Assert.Single(File.ReadAllLines(log))).RootElement;
            Assert.Equal("get_balance", entry.GetProperty("tool").GetString());
            var recorded = entry.GetProperty("headers");
            Assert.Equal("Bearer seen-by-the-server", recorded.GetProperty("authorization").GetString());
            Assert.Equal("t-1", recorded.GetProperty("x-trace").GetString());
        }
        finally
        {
            File.Delete(log);
        }
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, Uri url, string body, string? session, Action<HttpRequestMessage>? adjust = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (session is not null)
        {
            request.Headers.Add("Mcp-Session-Id", session);
        }

        adjust?.Invoke(request);
        return http.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
