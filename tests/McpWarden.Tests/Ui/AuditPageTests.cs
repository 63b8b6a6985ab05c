using McpWarden.Tests.Gateway;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace McpWarden.Tests.Ui;

/// <summary>
/// The Audit page in a real Chromium against the real <c>mcpwarden serve</c>, fed by real calls through the
/// gateway (allowed, denied by a rule, rate limited): newest first, filtered through the URL, one record in
/// full, and the live counters rising as calls arrive, without the page being reloaded.
/// </summary>
[Collection("ui")]
public sealed class AuditPageTests : IAsyncLifetime
{
    private const string Policy = """
        { "version": "1", "default": "deny", "tools": {
            "get_balance":    { "limits": [ { "counter": "balance_rate", "window": "minute", "max": 10 } ] },
            "mpesa_stk_push": { "limits": [ { "counter": "stk", "window": "minute", "max": 1 } ] },
            "delete_records": { "action": "deny", "reason": "deleting is not for agents" } } }
        """;

    private const string StkPush = """{"phone":"254712345678","amount":10,"account_reference":"INV-1"}""";

    private readonly UiBrowser _browser;
    private readonly McpHttpExchange _mcp = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-ui-audit-").FullName;
    private ServeGatewayProcess? _gateway;
    private string _session = string.Empty;
    private int _nextId;

    public AuditPageTests(UiBrowser browser) => _browser = browser;

    private ServeGatewayProcess Gateway => _gateway!;

    public async ValueTask InitializeAsync()
    {
        _gateway = await ServeGatewayProcess.StartAsync(new FixtureGateway(_directory, Policy).Configuration);
        _session = await _mcp.InitializeAsync(Gateway.Endpoint("payments"));
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

    /// <summary>Calls a tool through the gateway as an agent does; returns the policy's code, or "allowed".</summary>
    private async Task<string> CallAsync(string tool, string arguments = "{}")
    {
        var id = Interlocked.Increment(ref _nextId);
        var body = $$$"""{"jsonrpc":"2.0","id":{{{id}}},"method":"tools/call","params":{"name":"{{{tool}}}","arguments":{{{arguments}}}}}""";
        var result = (await _mcp.PostAsync(Gateway.Endpoint("payments"), body, _session)).Last.GetProperty("result");
        return result.TryGetProperty("_meta", out var meta) && meta.TryGetProperty("mcpwarden/policy", out var policy)
            ? policy.GetProperty("code").GetString()!
            : "allowed";
    }

    private static ILocator Rows(IPage page) => page.Locator("table.audit-table tbody tr");

    /// <summary>
    /// Saves the page for the docs when MCPWARDEN_UI_SCREENSHOTS names a directory (the docs' screenshots are
    /// made by running these tests with it set to docs/screenshots); otherwise does nothing.
    /// </summary>
    private static async Task ScreenshotAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("MCPWARDEN_UI_SCREENSHOTS") is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
            await page.ScreenshotAsync(new() { Path = Path.Combine(directory, name + ".png"), FullPage = true });
        }
    }

    [Fact]
    public async Task Records_ShowNewestFirst_NarrowByABookmarkableFilter_AndOpenInFull()
    {
        Assert.Equal("allowed", await CallAsync("get_balance"));
        Assert.Equal("denied_by_rule", await CallAsync("delete_records", """{"table":"customers","ids":["7"]}"""));
        Assert.Equal("allowed", await CallAsync("mpesa_stk_push", StkPush));
        Assert.Equal("rate_limited", await CallAsync("mpesa_stk_push", StkPush));

        await using var ui = await _browser.NewPageAsync(Gateway.BaseUrl);
        await ui.LoginAsync(FixtureGateway.AdminToken);
        await ui.Page.GotoAsync("/ui/#/audit");
        var page = ui.Page;

        var rows = Rows(page);
        await Expect(rows).ToHaveCountAsync(4);
        await Expect(rows.Nth(0)).ToContainTextAsync("rate_limited");
        await Expect(rows.Nth(1)).ToContainTextAsync("mpesa_stk_push");
        await Expect(rows.Nth(2)).ToContainTextAsync("denied_by_rule");
        await Expect(rows.Nth(3)).ToContainTextAsync("get_balance");
        await Expect(page.GetByRole(AriaRole.List, new() { Name = "Live counters" }).GetByRole(AriaRole.Listitem)).ToHaveCountAsync(2);
        await ScreenshotAsync(page, "ui-audit");
        var ids = await rows.EvaluateAllAsync<long[]>("rows => rows.map(r => Number(r.dataset.id))");
        Assert.Equal(ids.OrderDescending(), ids);

        // The filter goes into the URL, so the narrowed view survives a reload (or a bookmark).
        await page.GetByLabel("Decision").SelectOptionAsync("deny");
        await page.GetByLabel("Tool", new() { Exact = true }).FillAsync("delete_records");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/audit\\?decision=deny&tool=delete_records$"));
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.Nth(0)).ToContainTextAsync("denied_by_rule");

        await page.ReloadAsync();
        await Expect(page.GetByLabel("Decision")).ToHaveValueAsync("deny");
        await Expect(rows).ToHaveCountAsync(1);

        var denied = ids[2];
        await page.GetByRole(AriaRole.Link, new() { Name = $"Record {denied}: deny delete_records" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Audit record {denied}");
        var fields = page.Locator("dl.audit-fields");
        await Expect(fields).ToContainTextAsync("denied_by_rule");
        await Expect(fields).ToContainTextAsync("/tools/delete_records");
        await Expect(fields).ToContainTextAsync("deleting is not for agents");
        await ScreenshotAsync(page, "ui-audit-record");

        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the audit log" }).ClickAsync();
        await Expect(page.GetByLabel("Tool", new() { Exact = true })).ToHaveValueAsync("delete_records");
        await Expect(rows).ToHaveCountAsync(1);
        ui.AssertNoErrors();
    }

    [Fact]
    public async Task LiveCounters_ShowUsedAgainstMax_AndRiseWithTheNextCallWithoutAReload_AtPhoneWidth()
    {
        Assert.Equal("allowed", await CallAsync("get_balance"));
        Assert.Equal("allowed", await CallAsync("mpesa_stk_push", StkPush));

        await using var ui = await _browser.NewPageAsync(Gateway.BaseUrl, phone: true);
        await ui.LoginAsync(FixtureGateway.AdminToken);
        await ui.Page.GotoAsync("/ui/#/audit");
        var page = ui.Page;

        var counters = page.GetByRole(AriaRole.List, new() { Name = "Live counters" });
        var balance = counters.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "balance_rate" });
        var stk = counters.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "stk" });
        await Expect(balance).ToContainTextAsync("1 / 10");
        await Expect(balance.Locator("meter")).ToHaveAttributeAsync("value", "1");
        await Expect(balance.Locator("meter")).ToHaveAttributeAsync("aria-label", "balance_rate: 1 of 10 used");
        // The full budget comes first: it is the closest to its max.
        await Expect(counters.GetByRole(AriaRole.Listitem).First).ToContainTextAsync("stk");
        await Expect(stk).ToContainTextAsync("1 / 1");
        await Expect(stk).ToContainTextAsync("mpesa_stk_push");
        await Expect(Rows(page)).ToHaveCountAsync(2);

        // Mark this document: if the page were reloaded to show the new figures, the mark would be gone.
        await page.EvaluateAsync("() => { window.auditMark = 'still here'; }");
        Assert.Equal("allowed", await CallAsync("get_balance"));
        await Expect(balance).ToContainTextAsync("2 / 10");
        await Expect(balance.Locator("meter")).ToHaveAttributeAsync("value", "2");
        await Expect(Rows(page)).ToHaveCountAsync(3);
        await Expect(Rows(page).Nth(0)).ToContainTextAsync("get_balance");
        Assert.Equal("still here", await page.EvaluateAsync<string>("() => window.auditMark"));

        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"the Audit page is {overflow} px wider than the phone's screen");
        await ScreenshotAsync(page, "ui-audit-phone");
        ui.AssertNoErrors();
    }
}
