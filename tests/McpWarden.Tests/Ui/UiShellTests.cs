using System.Net;
using McpWarden.Tests.Gateway;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace McpWarden.Tests.Ui;

/// <summary>
/// The web UI's door, in a real Chromium against the real <c>mcpwarden serve</c>: the login form, the session
/// cookie and its attributes, logout, and a shell that runs under the strict Content-Security-Policy.
/// </summary>
[Collection("ui")]
public sealed class UiShellTests : IAsyncLifetime
{
    private const string Policy = """{ "version": "1", "default": "deny", "tools": { "get_balance": {} } }""";

    private readonly UiBrowser _browser;
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-ui-shell-").FullName;
    private ServeGatewayProcess? _gateway;

    public UiShellTests(UiBrowser browser) => _browser = browser;

    private ServeGatewayProcess Gateway => _gateway!;

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
    public async Task TheUi_SendsAStrangerToTheLoginForm_AndAWrongTokenIsTurnedAway()
    {
        await using var ui = await _browser.NewPageAsync(Gateway.BaseUrl);
        await ui.Page.GotoAsync("/ui");
        Assert.EndsWith("/ui/login", ui.Page.Url, StringComparison.Ordinal);

        await ui.Page.GetByLabel("Admin token").FillAsync("not-the-token");
        await ui.Page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();

        await Expect(ui.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not this gateway's admin token");
        Assert.Empty(await ui.Context.CookiesAsync());
        await ui.Page.GotoAsync("/ui/");
        Assert.EndsWith("/ui/login", ui.Page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoggingIn_OpensTheShellWithASecureHttpOnlyStrictCookie_AndLoggingOutEndsTheSessionForGood()
    {
        await using var ui = await _browser.NewPageAsync(Gateway.BaseUrl);
        await ui.LoginAsync(FixtureGateway.AdminToken);

        var cookie = Assert.Single(await ui.Context.CookiesAsync());
        Assert.Equal("__Host-mcpwarden-session", cookie.Name);
        Assert.True(cookie.HttpOnly);
        Assert.True(cookie.Secure);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("/", cookie.Path);
        Assert.DoesNotContain(FixtureGateway.AdminToken, cookie.Value, StringComparison.Ordinal);
        // Script on the page cannot read it.
        Assert.Equal(string.Empty, await ui.Page.EvaluateAsync<string>("document.cookie"));

        // Every page of the nav is reachable by keyboard and marks itself current.
        foreach (var name in new[] { "Policies", "Approvals", "Audit", "Servers" })
        {
            var link = ui.Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = name });
            await link.FocusAsync();
            await ui.Page.Keyboard.PressAsync("Enter");
            await Expect(link).ToHaveAttributeAsync("aria-current", "page");
            await Expect(ui.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        }

        await ui.Page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await Expect(ui.Page.GetByText("You have logged out.")).ToBeVisibleAsync();
        Assert.Empty(await ui.Context.CookiesAsync());

        // The old cookie, replayed, opens nothing.
        using var replay = CookieClient(cookie.Value);
        var answer = await replay.GetAsync("/api/approvals", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        ui.AssertNoErrors();
    }

    [Fact]
    public async Task TheShell_RunsUnderTheStrictContentSecurityPolicy_WithoutAViolation()
    {
        await using var ui = await _browser.NewPageAsync(Gateway.BaseUrl);
        await ui.LoginAsync(FixtureGateway.AdminToken);
        var response = await ui.Page.GotoAsync("/ui/");

        var headers = await response!.AllHeadersAsync();
        Assert.Equal(McpWarden.Ui.UiEndpoints.ContentSecurityPolicy, headers["content-security-policy"]);
        Assert.Equal("nosniff", headers["x-content-type-options"]);
        Assert.Equal("DENY", headers["x-frame-options"]);
        await Expect(ui.Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" })).ToBeVisibleAsync();

        // An inline script injected into the page is refused by the policy, and the refusal is reported.
        await ui.Page.EvaluateAsync("""
            () => { const s = document.createElement('script'); s.textContent = 'window.injected = true'; document.body.appendChild(s); }
            """);
        Assert.False(await ui.Page.EvaluateAsync<bool>("() => window.injected === true"));
        Assert.Contains(ui.Errors, error => error.Contains("Content Security Policy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AtPhoneWidth_TheShellFitsTheScreen()
    {
        await using var ui = await _browser.NewPageAsync(Gateway.BaseUrl, phone: true);
        await ui.LoginAsync(FixtureGateway.AdminToken);

        var overflow = await ui.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"the page is {overflow} px wider than the phone's screen");
        await Expect(ui.Page.GetByRole(AriaRole.Button, new() { Name = "Log out" })).ToBeInViewportAsync();
        ui.AssertNoErrors();
    }

    private HttpClient CookieClient(string cookieValue)
    {
        var http = new HttpClient { BaseAddress = Gateway.BaseUrl };
        http.DefaultRequestHeaders.Add("Cookie", "__Host-mcpwarden-session=" + cookieValue);
        return http;
    }
}
