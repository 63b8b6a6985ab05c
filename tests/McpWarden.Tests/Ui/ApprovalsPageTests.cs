using System.Text.Json;
using McpWarden.Tests.Gateway;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace McpWarden.Tests.Ui;

/// <summary>
/// The Approvals page in a real Chromium against the real <c>mcpwarden serve</c> and the fixture server: calls a
/// real MCP client makes in the background appear without a reload, and the decision taken on the page is what
/// the client receives.
/// </summary>
[Collection("ui")]
public sealed class ApprovalsPageTests : IAsyncLifetime
{
    private const string Policy = """
        { "version": "1", "default": "deny", "tools": {
            "mpesa_stk_push": { "action": "approve", "approval": { "timeout": 120 } },
            "get_balance": {} } }
        """;

    private readonly UiBrowser _browser;
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-ui-approvals-").FullName;
    private readonly McpHttpExchange _mcp = new();
    private FixtureGateway? _fixture;
    private ServeGatewayProcess? _gateway;

    public ApprovalsPageTests(UiBrowser browser) => _browser = browser;

    public async ValueTask InitializeAsync()
    {
        _fixture = new FixtureGateway(_directory, Policy);
        _gateway = await ServeGatewayProcess.StartAsync(_fixture.Configuration);
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        _mcp.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task HeldCalls_AppearWithoutAReload_AndTheDecisionTakenOnThePageIsWhatTheClientReceives()
    {
        var gateway = _gateway!;
        var fixture = _fixture!;
        await using var ui = await _browser.NewPageAsync(gateway.BaseUrl);
        await ui.LoginAsync(FixtureGateway.AdminToken);
        await ui.Page.GotoAsync("/ui/#/approvals");
        await Expect(ui.Page.GetByText("No call is waiting for a decision.")).ToBeVisibleAsync();

        // The first call arrives while the page is open; someone starts typing a reason for it.
        var endpoint = gateway.Endpoint("payments");
        var session = await _mcp.InitializeAsync(endpoint);
        using var admin = new AdminClient(gateway.BaseUrl);
        var approved = _mcp.PostAsync(endpoint, PaymentCall(1, 1500, "INV-1"), session);
        await admin.PendingAsync(1);
        var cards = ui.Page.GetByRole(AriaRole.List, new() { Name = "Pending calls" }).GetByRole(AriaRole.Listitem, new() { Name = "Call to payments/mpesa_stk_push" });
        var firstCard = cards.Filter(new() { HasText = "INV-1" });
        await Expect(cards).ToHaveCountAsync(1);
        await Expect(firstCard.GetByLabel("Arguments of the call to payments/mpesa_stk_push")).ToContainTextAsync("\"account_reference\": \"INV-1\"");
        await Expect(firstCard).ToContainTextAsync("local");
        await Expect(firstCard).ToContainTextAsync("/tools/mpesa_stk_push");
        await Expect(ui.Page.Locator("#approvals-count")).ToHaveTextAsync("1");
        var firstReason = firstCard.GetByLabel("Reason for payments/mpesa_stk_push (optional)");
        await firstReason.FillAsync("customer confirmed by phone");

        // A second call arrives during the typing: it is added, and what was typed is still there.
        var denied = _mcp.PostAsync(endpoint, PaymentCall(2, 250000, "INV-2"), session);
        await admin.PendingAsync(2);
        await Expect(cards).ToHaveCountAsync(2);
        await Expect(ui.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "waiting" })).ToHaveTextAsync("2 calls waiting");
        await Expect(firstReason).ToHaveValueAsync("customer confirmed by phone");
        Assert.False(approved.IsCompleted);
        Assert.Empty(fixture.CallsReceived());

        await cards.Filter(new() { HasText = "INV-1" }).GetByRole(AriaRole.Button, new() { Name = "Approve the call to payments/mpesa_stk_push" }).ClickAsync();
        var answer = (await approved).Last;
        Assert.False(answer.GetProperty("result").TryGetProperty("isError", out var isError) && isError.GetBoolean(), answer.ToString());
        var reached = Assert.Single(fixture.CallsReceived());
        Assert.Equal("INV-1", reached.GetProperty("arguments").GetProperty("account_reference").GetString());

        // The second is denied from the keyboard, with a reason.
        var secondCard = cards.Filter(new() { HasText = "INV-2" });
        await Expect(cards).ToHaveCountAsync(1);
        await secondCard.GetByLabel("Reason for payments/mpesa_stk_push (optional)").FillAsync("amount too high for a push");
        await secondCard.GetByRole(AriaRole.Button, new() { Name = "Deny the call to payments/mpesa_stk_push" }).FocusAsync();
        await ui.Page.Keyboard.PressAsync("Enter");
        var refusal = (await denied).Last.GetProperty("result");
        Assert.True(refusal.GetProperty("isError").GetBoolean());
        var policy = refusal.GetProperty("_meta").GetProperty("mcpwarden/policy");
        Assert.Equal("approval_denied", policy.GetProperty("code").GetString());
        Assert.Contains("amount too high for a push", policy.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Single(fixture.CallsReceived());

        await Expect(cards).ToHaveCountAsync(0);
        var recent = ui.Page.GetByRole(AriaRole.List, new() { Name = "Recently decided calls" }).GetByRole(AriaRole.Listitem);
        await Expect(recent).ToHaveCountAsync(2);
        await Expect(recent.First).ToContainTextAsync("amount too high for a push");

        // Both are in the audit log: the held record and the decision of each.
        var records = await admin.AuditAsync("?tool=mpesa_stk_push", r => r.Length == 4 && r.Any(x => x.GetProperty("outcome").ValueKind == JsonValueKind.String));
        var codes = records.Select(r => (r.GetProperty("decision").GetString(), r.GetProperty("code").GetString())).ToArray();
        Assert.Contains(("allow", "approved"), codes);
        Assert.Contains(("deny", "approval_denied"), codes);
        Assert.Equal(2, codes.Count(c => c == ("hold", "approval_required")));

        // And the Audit page shows them, filtered to the tool.
        await ui.Page.GotoAsync("/ui/#/audit?tool=mpesa_stk_push");
        var rows = ui.Page.Locator("table.audit-table tbody tr");
        await Expect(rows).ToHaveCountAsync(4);
        await Expect(rows.Filter(new() { HasText = "approval_denied" })).ToHaveCountAsync(1);
        await Expect(rows.Filter(new() { HasText = "approved" })).ToHaveCountAsync(1);
        await Expect(rows.Filter(new() { HasText = "approval_required" })).ToHaveCountAsync(2);
        ui.AssertNoErrors();
    }

    [Fact]
    public async Task ACallDecidedElsewhere_LeavesThePage_AndShowsHowItEnded_AtPhoneWidth()
    {
        var gateway = _gateway!;
        await using var ui = await _browser.NewPageAsync(gateway.BaseUrl, phone: true);
        await ui.LoginAsync(FixtureGateway.AdminToken);
        await ui.Page.GotoAsync("/ui/#/approvals");

        var endpoint = gateway.Endpoint("payments");
        var session = await _mcp.InitializeAsync(endpoint);
        var call = _mcp.PostAsync(endpoint, PaymentCall(1, 1500, "INV-9"), session);
        using var admin = new AdminClient(gateway.BaseUrl);
        var id = Assert.Single(await admin.PendingAsync(1)).GetProperty("id").GetString()!;
        var card = ui.Page.GetByRole(AriaRole.Listitem, new() { Name = "Call to payments/mpesa_stk_push" });
        await Expect(card).ToHaveCountAsync(1);
        await Expect(card).ToContainTextAsync(id);
        var width = await ui.Page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(width <= 390, $"the page is {width} px wide at phone width");

        await admin.PostAsync($"/api/approvals/{id}/deny", """{"reason":"decided at the command line"}""");
        await call;

        await Expect(card).ToHaveCountAsync(0);
        var recent = ui.Page.GetByRole(AriaRole.List, new() { Name = "Recently decided calls" }).GetByRole(AriaRole.Listitem);
        await Expect(recent).ToContainTextAsync("denied");
        await Expect(recent).ToContainTextAsync("decided at the command line");
        ui.AssertNoErrors();
    }

    private static string PaymentCall(int id, int amount, string reference) =>
        $$"""{"jsonrpc":"2.0","id":{{id}},"method":"tools/call","params":{"name":"mpesa_stk_push","arguments":{"phone":"254712345678","amount":{{amount}},"account_reference":"{{reference}}" """ + "}}}";
}
