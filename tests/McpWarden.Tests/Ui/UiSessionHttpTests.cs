using System.Net;
using System.Text.Json;
using McpWarden.Tests.Gateway;
using Xunit;

namespace McpWarden.Tests.Ui;

/// <summary>
/// The web UI's session against the admin API, over plain HTTP on the real gateway: what a cookie may read,
/// what it may change only with the CSRF token from its own origin, and what a login must look like.
/// </summary>
public sealed class UiSessionHttpTests : IAsyncLifetime
{
    private const string Policy = """{ "version": "1", "default": "deny", "tools": { "get_balance": {} } }""";

    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-ui-session-").FullName;
    private ServeGatewayProcess? _gateway;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private ServeGatewayProcess Gateway => _gateway!;

    private string Origin => Gateway.BaseUrl.GetLeftPart(UriPartial.Authority);

    public async ValueTask InitializeAsync() =>
        _gateway = await ServeGatewayProcess.StartAsync(new FixtureGateway(_directory, Policy).Configuration);

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task ASessionCookie_ReadsTheApi_ButChangesNothingWithoutItsCsrfTokenFromItsOwnOrigin()
    {
        var (cookie, csrf) = await LoginAsync();
        using var http = Client(cookie);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/approvals", Cancel)).StatusCode);

        var noToken = await Send(http, HttpMethod.Post, "/api/approvals/0000/approve", origin: Origin);
        Assert.Equal(HttpStatusCode.Forbidden, noToken.StatusCode);
        Assert.Contains("CSRF", await noToken.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);

        var wrongToken = await Send(http, HttpMethod.Post, "/api/approvals/0000/approve", origin: Origin, csrf: csrf + "x");
        Assert.Equal(HttpStatusCode.Forbidden, wrongToken.StatusCode);

        // Another page on this machine (another port is another origin, though the same site) is refused.
        var otherOrigin = await Send(http, HttpMethod.Post, "/api/approvals/0000/approve", origin: "http://127.0.0.1:1", csrf: csrf);
        Assert.Equal(HttpStatusCode.Forbidden, otherOrigin.StatusCode);

        var noOrigin = await Send(http, HttpMethod.Post, "/api/approvals/0000/approve", origin: null, csrf: csrf);
        Assert.Equal(HttpStatusCode.Forbidden, noOrigin.StatusCode);

        // With both, the request is the API's to judge: there is no such approval.
        var allowed = await Send(http, HttpMethod.Post, "/api/approvals/0000/approve", origin: Origin, csrf: csrf);
        Assert.Equal(HttpStatusCode.NotFound, allowed.StatusCode);
    }

    [Fact]
    public async Task ALogin_FromAnotherOrigin_OrWithoutOne_OpensNoSession()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Gateway.BaseUrl };
        foreach (var origin in new[] { "http://127.0.0.1:1", null })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/ui/login") { Content = new FormUrlEncodedContent([new("token", FixtureGateway.AdminToken)]) };
            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }

            var answer = await http.SendAsync(request, Cancel);
            Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
            Assert.False(answer.Headers.Contains("Set-Cookie"));
        }
    }

    [Fact]
    public async Task AnyCookieValue_ButASessionsOwn_IsRefused_AndTheBearerTokenStillWorksBesideIt()
    {
        using var forged = Client("made-up-session-id");
        var answer = await forged.GetAsync("/api/approvals", Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Contains("log in again", await answer.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);

        forged.DefaultRequestHeaders.Authorization = new("Bearer", FixtureGateway.AdminToken);
        Assert.Equal(HttpStatusCode.OK, (await forged.GetAsync("/api/approvals", Cancel)).StatusCode);
    }

    [Fact]
    public async Task TheUiFiles_AreServedWithTheirTypes_AndNothingElseIs()
    {
        using var http = new HttpClient { BaseAddress = Gateway.BaseUrl };
        var script = await http.GetAsync("/ui/js/app.js", Cancel);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.True(script.Headers.Contains("Content-Security-Policy"));

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/ui/js/nothing.js", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/ui/../mcpwarden.json", Cancel)).StatusCode);
        // The app shell itself only after logging in.
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/ui/index.html", Cancel)).StatusCode);
    }

    /// <summary>Logs in as the form does; returns the session cookie's value and the session's CSRF token.</summary>
    private async Task<(string Cookie, string Csrf)> LoginAsync()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Gateway.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ui/login") { Content = new FormUrlEncodedContent([new("token", FixtureGateway.AdminToken)]) };
        request.Headers.Add("Origin", Origin);
        var answer = await http.SendAsync(request, Cancel);
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        var setCookie = Assert.Single(answer.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        var cookie = setCookie.Split(';')[0].Split('=', 2)[1];

        using var client = Client(cookie);
        var session = JsonDocument.Parse(await client.GetStringAsync("/ui/session", Cancel)).RootElement;
        return (cookie, session.GetProperty("csrfToken").GetString()!);
    }

    private HttpClient Client(string cookie)
    {
        var http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = Gateway.BaseUrl };
        http.DefaultRequestHeaders.Add("Cookie", "__Host-mcpwarden-session=" + cookie);
        return http;
    }

    private static Task<HttpResponseMessage> Send(HttpClient http, HttpMethod method, string path, string? origin, string? csrf = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (csrf is not null)
        {
            request.Headers.Add("X-CSRF-Token", csrf);
        }

        return http.SendAsync(request, Cancel);
    }
}
