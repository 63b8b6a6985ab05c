using System.Text.Json;
using System.Text.RegularExpressions;
using McpWarden.Tests.Gateway;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace McpWarden.Tests.Ui;

/// <summary>
/// The Servers page in a real Chromium against the real <c>mcpwarden serve</c>, the fixture server and a real
/// SQLite pin store: the fixture's tools with their badges, the search, and a tool whose description changed
/// between two runs of the gateway reviewed and accepted on the page, after which a client sees it again.
/// </summary>
[Collection("ui")]
public sealed partial class ServersPageTests : IAsyncLifetime
{
    private const string Policy = """
        { "version": "1", "default": "deny", "tools": {
            "get_balance": {},
            "mpesa_stk_push": { "limits": [ { "counter": "stk", "window": "minute", "max": 10 } ] } } }
        """;

    private const string Reworded = "Returns the balance of the business shortcode in KES, as of the last settlement.";

    private readonly UiBrowser _browser;
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-ui-servers-").FullName;
    private readonly McpHttpExchange _mcp = new();

    public ServersPageTests(UiBrowser browser) => _browser = browser;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _mcp.Dispose();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task TheFixturesTools_ShowTheirBadges_SearchNarrowsThem_AndAChangedToolIsReviewedAndAcceptedOnThePage()
    {
        var fixture = new FixtureGateway(_directory, Policy);
        await using (var first = await ServeGatewayProcess.StartAsync(fixture.Configuration))
        {
            Assert.Contains("get_balance", await ListAsync(first, await _mcp.InitializeAsync(first.Endpoint("payments"))));
        }

        var text = File.ReadAllText(fixture.Configuration);
        File.WriteAllText(fixture.Configuration, text.Replace("\"env\": { ", $"\"env\": {{ \"FIXTURE_DESCRIBE\": {JsonSerializer.Serialize("get_balance=" + Reworded)}, ", StringComparison.Ordinal));
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        var session = await _mcp.InitializeAsync(gateway.Endpoint("payments"));
        Assert.DoesNotContain("get_balance", await ListAsync(gateway, session));

        await using var ui = await _browser.NewPageAsync(gateway.BaseUrl);
        await ui.LoginAsync(FixtureGateway.AdminToken);
        await ui.Page.GotoAsync("/ui/#/servers");

        var server = ui.Page.GetByRole(AriaRole.Region, new() { Name = "Server payments" });
        // The first view probes the server (a dotnet process starting): more time than a click gets.
        await Expect(server.GetByRole(AriaRole.Heading, new() { Level = 2 })).ToContainTextAsync("reachable", new() { Timeout = 30_000 });
        await Expect(server).ToContainTextAsync("enforce");
        var push = Row(ui.Page, "mpesa_stk_push");
        await Expect(push.Locator(".badge-cat-financial")).ToHaveTextAsync("financial");
        // The risk the classifier gave it, as the API reports it, is the badge shown.
        using var admin = new AdminClient(gateway.BaseUrl);
        var (_, inventory) = await admin.GetAsync("/api/inventory?server=payments");
        var risk = inventory.GetProperty("servers")[0].GetProperty("tools").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "mpesa_stk_push").GetProperty("risk").GetString()!;
        Assert.True(risk is "high" or "critical", risk);
        await Expect(push.Locator($".badge-risk-{risk}")).ToHaveTextAsync(risk);
        await Expect(push).ToContainTextAsync("10/min per grant");
        await Expect(push).ToContainTextAsync("sees it");
        await Expect(Row(ui.Page, "delete_records")).ToContainTextAsync("hidden (policy)");
        await Expect(Row(ui.Page, "delete_records").Locator(".badge-cat-destructive")).ToHaveTextAsync("destructive");

        // Search by description narrows the list; the address keeps the filter.
        await ui.Page.GetByLabel("Search tools").FillAsync("settlement");
        await Expect(ui.Page.GetByText(ShownPattern())).ToHaveTextAsync(new Regex("^1 of \\d+ tools shown$"));
        await Expect(Row(ui.Page, "mpesa_stk_push")).ToHaveCountAsync(0);
        Assert.Contains("q=settlement", ui.Page.Url, StringComparison.Ordinal);
        await ui.Page.GetByLabel("Search tools").FillAsync(string.Empty);
        await ui.Page.GetByLabel("Pin state").SelectOptionAsync("changed");
        await Expect(ui.Page.GetByText(ShownPattern())).ToHaveTextAsync(new Regex("^1 of \\d+ tools shown$"));

        var balance = Row(ui.Page, "get_balance");
        await Expect(balance.Locator(".badge-pin-changed")).ToHaveTextAsync("changed");
        await Expect(balance).ToContainTextAsync("hidden (pin_changed)");
        await balance.GetByRole(AriaRole.Button, new() { Name = "Review change of payments/get_balance" }).ClickAsync();
        var diff = ui.Page.GetByRole(AriaRole.Table, new() { Name = "Changes from the pinned definition" });
        await Expect(diff).ToContainTextAsync("/description");
        await Expect(diff.Locator(".servers-after")).ToContainTextAsync("Returns the balance of the business shortcode");
        await Expect(diff.Locator(".servers-before")).ToContainTextAsync("Returns the current M-Pesa balance");
        // The diff shortens long texts; the whole definition waiting is there to read.
        await ui.Page.GetByText("Both definitions in full").ClickAsync();
        await Expect(ui.Page.GetByLabel("The definition waiting")).ToContainTextAsync(Reworded);
        Assert.DoesNotContain("get_balance", await ListAsync(gateway, session, id: 2));

        await ui.Page.GetByRole(AriaRole.Button, new() { Name = "Accept this definition" }).ClickAsync();
        await ui.Page.GetByLabel("Pin state").SelectOptionAsync(string.Empty);
        await Expect(Row(ui.Page, "get_balance").Locator(".badge-pin-pinned")).ToHaveTextAsync("pinned");
        await Expect(Row(ui.Page, "get_balance")).ToContainTextAsync("sees it");

        Assert.Contains("get_balance", await ListAsync(gateway, session, id: 3));
        var call = await _mcp.PostAsync(gateway.Endpoint("payments"), McpHttpExchange.Call(4, "get_balance"), session);
        Assert.False(call.Last.GetProperty("result").TryGetProperty("isError", out var isError) && isError.GetBoolean(), call.Last.ToString());
        Assert.Equal(["get_balance"], fixture.CallsReceived().Select(c => c.GetProperty("tool").GetString()!));
        ui.AssertNoErrors();
    }

    [Fact]
    public async Task AnAcceptOfAChangeThatMovedOnMeanwhile_IsRefusedAndExplained()
    {
        var fixture = new FixtureGateway(_directory, Policy);
        await using (var first = await ServeGatewayProcess.StartAsync(fixture.Configuration))
        {
            await ListAsync(first, await _mcp.InitializeAsync(first.Endpoint("payments")));
        }

        var text = File.ReadAllText(fixture.Configuration);
        File.WriteAllText(fixture.Configuration, text.Replace("\"env\": { ", $"\"env\": {{ \"FIXTURE_DESCRIBE\": {JsonSerializer.Serialize("get_balance=" + Reworded)}, ", StringComparison.Ordinal));
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        await ListAsync(gateway, await _mcp.InitializeAsync(gateway.Endpoint("payments")));

        await using var ui = await _browser.NewPageAsync(gateway.BaseUrl, phone: true);
        await ui.LoginAsync(FixtureGateway.AdminToken);
        await ui.Page.GotoAsync("/ui/#/servers?pin=changed");
        await Expect(Row(ui.Page, "get_balance")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Row(ui.Page, "get_balance").GetByRole(AriaRole.Button, new() { Name = "Review change of payments/get_balance" }).ClickAsync();
        await Expect(ui.Page.GetByRole(AriaRole.Table, new() { Name = "Changes from the pinned definition" })).ToContainTextAsync("Returns the balance of the business shortcode");
        var width = await ui.Page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(width <= 390, $"the page is {width} px wide at phone width");

        // Someone else accepts it first: the page's accept names a change that is no longer waiting.
        using var admin = new AdminClient(gateway.BaseUrl);
        var (_, pins) = await admin.GetAsync("/api/pins?server=payments");
        var waiting = pins.EnumerateArray().Single(pin => pin.GetProperty("tool").GetString() == "get_balance").GetProperty("changed").GetProperty("fingerprint").GetString();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await admin.PostAsync("/api/pins/payments/get_balance/accept", $$"""{"fingerprint":"{{waiting}}"}""")).Status);
        await ui.Page.GetByRole(AriaRole.Button, new() { Name = "Accept this definition" }).ClickAsync();

        await Expect(ui.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Not accepted: the definition waiting is no longer the one shown here");
    }

    private static ILocator Row(IPage page, string tool) =>
        page.Locator("table.servers-tools > tbody > tr").Filter(new() { Has = page.Locator(".servers-name", new() { HasTextRegex = new Regex($"^{tool}$") }) });

    private async Task<string[]> ListAsync(ServeGatewayProcess gateway, string session, int id = 1)
    {
        var list = await _mcp.PostAsync(gateway.Endpoint("payments"), $$"""{"jsonrpc":"2.0","id":{{id}},"method":"tools/list"}""", session);
        return [.. list.Last.GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()!)];
    }

    [GeneratedRegex("tools shown$")]
    private static partial Regex ShownPattern();
}
