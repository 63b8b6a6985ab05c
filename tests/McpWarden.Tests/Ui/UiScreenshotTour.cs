using McpWarden.Tests.Gateway;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace McpWarden.Tests.Ui;

/// <summary>
/// Every page of the web UI on a gateway with real traffic behind it (allowed, refused, rate-limited and held
/// calls through the fixture server), at desktop and at phone width: each page renders its data without an
/// error, every control has an accessible name, nothing is wider than a phone's screen, and a screenshot of each
/// is taken. With <c>MCPWARDEN_UI_SCREENSHOTS=DIR</c> the screenshots go to DIR (scripts/ui-screenshots.sh
/// writes docs/screenshots with it); otherwise to a temporary folder that is removed.
/// </summary>
[Collection("ui")]
public sealed class UiScreenshotTour : IAsyncLifetime
{
    private const string Policy = """
        {
          "version": "1",
          "default": "deny",
          "tools": {
            "get_balance": { "limits": [ { "counter": "balance_rate", "window": "minute", "max": 120, "scope": "grant" } ] },
            "mpesa_stk_push": {
              "arguments": { "type": "object", "properties": { "amount": { "type": "integer", "maximum": 150000 } } },
              "limits": [ { "counter": "stk_push_rate", "window": "minute", "max": 10, "scope": "grant" } ]
            },
            "b2c_payment": {
              "action": "approve",
              "reason": "payouts need a person",
              "limits": [ { "counter": "payout_total", "window": "day", "max": 50000, "cost": "amount", "scope": "global" } ]
            },
            "delete_records": { "action": "deny", "reason": "records are deleted by the data team only" }
          }
        }
        """;

    private static readonly (string Page, string Hash)[] Pages =
    [
        ("servers", "#/servers"),
        ("policies", "#/policies/payments"),
        ("approvals", "#/approvals"),
        ("audit", "#/audit"),
    ];

    private readonly UiBrowser _browser;
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-ui-tour-").FullName;
    private readonly McpHttpExchange _mcp = new();
    private ServeGatewayProcess? _gateway;

    public UiScreenshotTour(UiBrowser browser) => _browser = browser;

    private ServeGatewayProcess Gateway => _gateway!;

    public async ValueTask InitializeAsync()
    {
        File.WriteAllText(Path.Combine(_directory, "payments.json"), Policy);
        _gateway = await ServeGatewayProcess.StartAsync(new FixtureGateway(_directory, "\"payments.json\"").Configuration);
        await MakeTrafficAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _mcp.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EveryPage_ShowsRealData_WithLabelledControls_AndFitsTheScreen(bool phone)
    {
        var target = Environment.GetEnvironmentVariable("MCPWARDEN_UI_SCREENSHOTS") is { Length: > 0 } wanted ? wanted : Path.Combine(_directory, "screenshots");
        Directory.CreateDirectory(target);
        await using var ui = await _browser.NewPageAsync(Gateway.BaseUrl, phone);
        await ui.LoginAsync(FixtureGateway.AdminToken);

        foreach (var (name, hash) in Pages)
        {
            await ui.Page.GotoAsync("/ui/" + hash);
            await Expect(ui.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
            await Expect(ui.Page.Locator("main .error-banner")).ToHaveCountAsync(0);
            // The builder lists the server's tools after it opens: the picture shows it done.
            await Expect(ui.Page.GetByText("Listing the server's tools")).ToHaveCountAsync(0);
            // Each page shows the traffic's data: a tool of the fixture is named on every one of them.
            await Expect(ui.Page.Locator("main").GetByText("b2c_payment").First).ToBeVisibleAsync();

            var unlabelled = await ui.Page.EvaluateAsync<string[]>("""
                () => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href]')]
                  .filter(e => e.offsetParent !== null && !(e.labels?.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby') && !e.textContent.trim() && !e.title)
                  .map(e => e.outerHTML.slice(0, 120))
                """);
            Assert.True(unlabelled.Length == 0, $"{name}: controls without an accessible name:\n" + string.Join('\n', unlabelled));

            if (phone)
            {
                var overflow = await ui.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
                Assert.True(overflow <= 0, $"{name} is {overflow} px wider than the phone's screen");
            }

            var file = Path.Combine(target, $"ui-{name}{(phone ? "-phone" : string.Empty)}.png");
            await ui.Page.ScreenshotAsync(new() { Path = file, FullPage = !phone });
            Assert.True(new FileInfo(file).Length > 10_000, $"{file} is too small to show a page");
        }

        ui.AssertNoErrors();
    }

    /// <summary>Allowed, refused by rule, refused by its arguments, and held calls, as an agent would make them.</summary>
    private async Task MakeTrafficAsync()
    {
        var endpoint = Gateway.Endpoint("payments");
        var session = await _mcp.InitializeAsync(endpoint);
        var id = 0;
        string Call(string tool, string arguments) =>
            $$$"""{"jsonrpc":"2.0","id":{{{++id}}},"method":"tools/call","params":{"name":"{{{tool}}}","arguments":{{{arguments}}}}}""";

        for (var i = 0; i < 3; i++)
        {
            await _mcp.PostAsync(endpoint, Call("get_balance", "{}"), session);
        }

        for (var i = 0; i < 4; i++)
        {
            await _mcp.PostAsync(endpoint, Call("mpesa_stk_push", $$"""{"phone":"254712345678","amount":{{1200 + (i * 250)}},"account_reference":"INV-{{i}}"}"""), session);
        }

        await _mcp.PostAsync(endpoint, Call("mpesa_stk_push", """{"phone":"254712345678","amount":900000,"account_reference":"INV-9"}"""), session);
        await _mcp.PostAsync(endpoint, Call("delete_records", """{"table":"customers","ids":["c-17"]}"""), session);

        // Held for a person: left waiting, so the Approvals page has something to show.
        _ = _mcp.PostAsync(endpoint, Call("b2c_payment", """{"amount":2500,"phone":"254712345678","remarks":"refund for order 1042"}"""), session);
        using var admin = new AdminClient(Gateway.BaseUrl);
        await admin.PendingAsync(1);
    }
}
