using System.Net;
using System.Text.Json;
using McpWarden.Policy;
using McpWarden.Tests.Gateway;
using Microsoft.Playwright;
using ModelContextProtocol.Client;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace McpWarden.Tests.Ui;

/// <summary>
/// The policy builder in a real Chromium against the real <c>mcpwarden serve</c> fronting the Daraja-like fixture
/// (server <c>payments</c>, its policy in a file of its own): a policy built from scratch and saved is what a
/// real MCP client is held to at once; an invalid edit is shown at its field and never saved; and opening then
/// saving a policy leaves it the same JSON value, for the samples, the evaluation vectors and a recommendation.
/// </summary>
[Collection("ui")]
public sealed class PolicyBuilderTests : IAsyncLifetime
{
    private const string Initial = """{ "version": "1", "default": "deny", "tools": { "get_balance": {} } }""";

    private readonly UiBrowser _browser;
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-ui-builder-").FullName;
    private ServeGatewayProcess? _gateway;
    private FixtureGateway? _fixture;

    public PolicyBuilderTests(UiBrowser browser) => _browser = browser;

    private ServeGatewayProcess Gateway => _gateway!;

    private string PolicyFile => Path.Combine(_directory, "payments.json");

    public async ValueTask InitializeAsync()
    {
        await File.WriteAllTextAsync(PolicyFile, Initial);
        _fixture = new FixtureGateway(_directory, JsonSerializer.Serialize(PolicyFile));
        _gateway = await ServeGatewayProcess.StartAsync(_fixture.Configuration);
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task FromScratch_ForTheDarajaLikeServer_TheSavedPolicyIsWhatARealClientIsHeldTo()
    {
        await using var ui = await _browser.NewPageAsync(Gateway.BaseUrl);
        await ui.LoginAsync(FixtureGateway.AdminToken);
        var page = ui.Page;
        await OpenBuilderAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Start from scratch" }).ClickAsync();
        await Expect(page.GetByLabel("Default action", new() { Exact = true })).ToHaveValueAsync("deny");
        await page.GetByLabel("Action for get_balance", new() { Exact = true }).SelectOptionAsync("allow");
        await page.GetByLabel("Action for mpesa_stk_push", new() { Exact = true }).SelectOptionAsync("allow");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a limit to mpesa_stk_push" }).ClickAsync();
        await page.GetByLabel("Window of limit 1 for mpesa_stk_push", new() { Exact = true }).FillAsync("minute");
        await page.GetByLabel("Max of limit 1 for mpesa_stk_push", new() { Exact = true }).FillAsync("10");
        // Approval above 1,000: require approval, with "no person needed when amount is at most 1000".
        await page.GetByLabel("Action for b2c_payment", new() { Exact = true }).SelectOptionAsync("approve");
        await page.GetByLabel("Reason for b2c_payment", new() { Exact = true }).FillAsync("B2C payments above 1,000 need a person");
        await Expect(page.GetByRole(AriaRole.Group, new() { Name = "No person needed when… for b2c_payment" })).ToContainTextAsync("Every call waits for a person");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a condition for b2c_payment" }).ClickAsync();
        await page.GetByLabel("Argument of condition 1 for b2c_payment", new() { Exact = true }).SelectOptionAsync("amount");
        await page.GetByLabel("Test of condition 1 for b2c_payment", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "at most" });
        var bound = page.GetByLabel("Value of condition 1 for b2c_payment", new() { Exact = true });
        // Until a number is given the check refuses the empty bound at its field, so no unbounded unless is saved.
        await Expect(page.Locator(".field", new() { Has = bound }).Locator(".field-error")).ToContainTextAsync("MW4001");
        await bound.FillAsync("1000");

        var save = page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true });
        await Expect(save).ToBeEnabledAsync();
        await save.ClickAsync();
        await Expect(page.Locator("#policy-status")).ToContainTextAsync("is in force");

        if (Environment.GetEnvironmentVariable("MCPWARDEN_UI_SCREENSHOTS") is { Length: > 0 } shots)
        {
            // Opt-in: refreshes the picture in docs/ (MCPWARDEN_UI_SCREENSHOTS=docs/screenshots), never during a normal run.
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "ui-policy-builder.png"), FullPage = false });
        }

        // The preview was exactly the text saved.
        var saved = await File.ReadAllTextAsync(PolicyFile, TestContext.Current.CancellationToken);
        Assert.Equal(saved, await page.Locator("#policy-preview").TextContentAsync());
        using var expected = JsonDocument.Parse("""
            { "version": "1", "default": "deny", "tools": {
                "get_balance": {},
                "mpesa_stk_push": { "limits": [ { "counter": "mpesa_stk_push_rate", "window": "minute", "max": 10, "scope": "grant" } ] },
                "b2c_payment": { "action": "approve", "reason": "B2C payments above 1,000 need a person",
                                 "approval": { "unless": { "type": "object", "properties": { "amount": { "type": "number", "maximum": 1000 } }, "required": ["amount"] } } } } }
            """);
        using var written = JsonDocument.Parse(saved);
        Assert.True(JsonElement.DeepEquals(expected.RootElement, written.RootElement), saved);
        ui.AssertNoErrors();

        // A real MCP client, connected after the save: exactly the tools not denied, and the eleventh STK push refused.
        await using var client = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Name = "mcpwarden", Endpoint = Gateway.Endpoint("payments") }),
            cancellationToken: TestContext.Current.CancellationToken);
        var tools = await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["b2c_payment", "get_balance", "mpesa_stk_push"], tools.Select(t => t.Name).Order(StringComparer.Ordinal).ToArray());
        var push = new Dictionary<string, object?> { ["phone"] = "254712345678", ["amount"] = 100, ["account_reference"] = "INV1" };
        for (var i = 0; i < 10; i++)
        {
            var allowed = await client.CallToolAsync("mpesa_stk_push", push, cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(allowed.IsError is not true, $"push {i + 1} was refused");
        }

        var eleventh = await client.CallToolAsync("mpesa_stk_push", push, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(eleventh.IsError);
        Assert.Equal("rate_limited", PolicyCode(eleventh));
        Assert.Equal(10, _fixture!.CallsReceived().Count(c => c.GetProperty("tool").GetString() == "mpesa_stk_push"));

        // A B2C payment of 500 needs no person: it completes at once and reaches the server, decided by the unless.
        using var admin = new AdminClient(Gateway.BaseUrl);
        var small = await client.CallToolAsync("b2c_payment", new Dictionary<string, object?> { ["amount"] = 500, ["phone"] = "254712345678" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(small.IsError is not true, "the payment of 500 was refused");
        var reached = Assert.Single(_fixture.CallsReceived(), c => c.GetProperty("tool").GetString() == "b2c_payment");
        Assert.Equal(500, reached.GetProperty("arguments").GetProperty("amount").GetInt32());
        var (pendingStatus, pending) = await admin.GetAsync("/api/approvals");
        Assert.Equal((HttpStatusCode.OK, 0), (pendingStatus, pending.GetArrayLength()));
        var audited = await admin.AuditAsync("?tool=b2c_payment", records => records.Length > 0);
        Assert.Equal(("allow", "allowed", "/tools/b2c_payment/approval/unless"), (audited[0].GetProperty("decision").GetString(), audited[0].GetProperty("code").GetString(), audited[0].GetProperty("rule").GetString()));

        // A B2C payment of 5,000 waits for a person; denied, the client hears approval_denied and the server never sees it.
        var payment = client.CallToolAsync("b2c_payment", new Dictionary<string, object?> { ["amount"] = 5000, ["phone"] = "254712345678" }, cancellationToken: TestContext.Current.CancellationToken).AsTask();
        var held = Assert.Single(await admin.PendingAsync(1));
        Assert.Equal("b2c_payment", held.GetProperty("tool").GetString());
        var (denied, _) = await admin.PostAsync($"/api/approvals/{held.GetProperty("id").GetString()}/deny", """{"reason":"not today"}""");
        Assert.Equal(HttpStatusCode.OK, denied);
        var refused = await payment;
        Assert.Equal("approval_denied", PolicyCode(refused));
        Assert.Single(_fixture.CallsReceived(), c => c.GetProperty("tool").GetString() == "b2c_payment");
    }

    [Fact]
    public async Task AnInvalidEdit_ShowsItsDiagnosticAtTheField_AndIsNotSaved()
    {
        const string policy = """
            { "version": "1", "default": "deny", "tools": {
                "mpesa_stk_push": { "limits": [ { "counter": "stk", "window": "minute", "max": 10 } ] } } }
            """;
        await File.WriteAllTextAsync(PolicyFile, policy, TestContext.Current.CancellationToken);
        await using var ui = await _browser.NewPageAsync(Gateway.BaseUrl, phone: true);
        await ui.LoginAsync(FixtureGateway.AdminToken);
        var page = ui.Page;
        await OpenBuilderAsync(page);
        var save = page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true });
        await Expect(save).ToBeEnabledAsync();

        var max = page.GetByLabel("Max of limit 1 for mpesa_stk_push", new() { Exact = true });
        await max.FillAsync("-1");
        var maxField = page.Locator(".field", new() { Has = page.Locator("[data-pointer='/tools/mpesa_stk_push/limits/0/max']") });
        await Expect(maxField.Locator(".field-error")).ToContainTextAsync("MW3002");
        await Expect(max).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(save).ToBeDisabledAsync();

        var window = page.GetByLabel("Window of limit 1 for mpesa_stk_push", new() { Exact = true });
        await window.FillAsync("fortnight");
        var windowField = page.Locator(".field", new() { Has = page.Locator("[data-pointer='/tools/mpesa_stk_push/limits/0/window']") });
        await Expect(windowField.Locator(".field-error")).ToContainTextAsync("MW3001");
        await Expect(page.Locator("#policy-summary")).ToContainTextAsync("2 errors");
        await Expect(save).ToBeDisabledAsync();
        Assert.Equal(policy, await File.ReadAllTextAsync(PolicyFile, TestContext.Current.CancellationToken));

        // Fixed, the errors go and Save comes back; nothing was written meanwhile.
        await max.FillAsync("5");
        await window.FillAsync("hour");
        await Expect(maxField.Locator(".field-error")).ToHaveCountAsync(0);
        await Expect(save).ToBeEnabledAsync();
        Assert.Equal(policy, await File.ReadAllTextAsync(PolicyFile, TestContext.Current.CancellationToken));

        // Readable at phone width: nothing forces the page sideways.
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), "the builder is wider than a 390 px phone");
        ui.AssertNoErrors();
    }

    [Fact]
    public async Task OpeningAndSavingUnchanged_KeepsThePolicyTheSameJsonValue()
    {
        var cases = RoundTripCases().ToList();
        using (var admin = new AdminClient(Gateway.BaseUrl))
        {
            var (status, recommendation) = await admin.GetAsync("/api/recommendation/payments");
            Assert.Equal(HttpStatusCode.OK, status);
            cases.Add(("recommendation", recommendation.GetProperty("text").GetString()!));
        }

        Assert.True(cases.Count >= 25, $"only {cases.Count} policies to round-trip");
        await using var ui = await _browser.NewPageAsync(Gateway.BaseUrl);
        await ui.LoginAsync(FixtureGateway.AdminToken);
        var page = ui.Page;
        var saves = new HashSet<string>(StringComparer.Ordinal) { "samples/policies/payments.json", "recommendation", cases.First(c => c.Name.StartsWith("tests/vectors", StringComparison.Ordinal)).Name };
        foreach (var (name, text) in cases)
        {
            await File.WriteAllTextAsync(PolicyFile, text, TestContext.Current.CancellationToken);
            var etag = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(PolicyFile, TestContext.Current.CancellationToken)));
            await page.GotoAsync($"/ui/#/policies/payments?case={Uri.EscapeDataString(name)}");
            try
            {
                await Expect(page.Locator($".builder[data-etag='{etag}'][data-tools='listed']")).ToBeAttachedAsync(new() { Timeout = 30_000 });
            }
            catch (PlaywrightException e)
            {
                Assert.Fail($"{name}: the builder did not open it ({e.Message}); the page says: {await page.Locator("#page").InnerTextAsync()}");
            }

            var preview = await page.Locator("#policy-preview").TextContentAsync();
            Assert.True(SameJson(text, preview!), $"{name}: the builder would save\n{preview}\ninstead of\n{text}");

            if (saves.Contains(name))
            {
                await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
                await Expect(page.Locator("#policy-status")).ToContainTextAsync("is in force");
                Assert.True(SameJson(text, await File.ReadAllTextAsync(PolicyFile, TestContext.Current.CancellationToken)), $"{name}: the saved file differs");
            }
        }

        ui.AssertNoErrors();
    }

    /// <summary>Every sample policy, and every inline policy of the evaluation vectors that loads without errors.</summary>
    private static IEnumerable<(string Name, string Text)> RoundTripCases()
    {
        var root = McpWarden.Testing.RepositoryPaths.Root;
        foreach (var file in Directory.GetFiles(Path.Combine(root, "samples", "policies"), "*.json").Where(f => !f.EndsWith(".test.json", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            yield return ("samples/policies/" + Path.GetFileName(file), File.ReadAllText(file));
        }

        foreach (var file in Directory.GetFiles(Path.Combine(root, "tests", "vectors", "evaluation"), "*.test.json").Order(StringComparer.Ordinal))
        {
            using var vector = JsonDocument.Parse(File.ReadAllText(file));
            if (vector.RootElement.TryGetProperty("policy", out var policy) && policy.ValueKind == JsonValueKind.Object)
            {
                var text = policy.GetRawText();
                if (PolicyLoader.LoadText(file, text).Succeeded)
                {
                    yield return ("tests/vectors/evaluation/" + Path.GetFileName(file), text);
                }
            }
        }
    }

    private static async Task OpenBuilderAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Policies" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "payments", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Policy builder: payments" })).ToBeVisibleAsync();
        // The server's tools have been listed (one probe), so every tool has its card.
        await Expect(page.Locator(".builder[data-tools='listed']")).ToBeAttachedAsync(new() { Timeout = 30_000 });
    }

    private static bool SameJson(string left, string right)
    {
        using var a = JsonDocument.Parse(left);
        using var b = JsonDocument.Parse(right);
        return JsonElement.DeepEquals(a.RootElement, b.RootElement);
    }

    private static string? PolicyCode(ModelContextProtocol.Protocol.CallToolResult result) =>
        JsonSerializer.SerializeToElement(result.Meta!["mcpwarden/policy"]).GetProperty("code").GetString();
}
