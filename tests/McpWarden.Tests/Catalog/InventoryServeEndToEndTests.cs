using System.Net;
using System.Text.Json;
using McpWarden.Policy;
using McpWarden.Tests.Cli;
using McpWarden.Tests.Gateway;
using Xunit;

namespace McpWarden.Tests.Catalog;

/// <summary>
/// The inventory beside a real <c>serve</c>: <c>mcpwarden recommend</c> for the fixture, checked with
/// <c>mcpwarden check</c> and put to work; <c>GET /api/inventory</c> of that serve; and pin states once the
/// gateway has listed the tools for a client.
/// </summary>
public sealed class InventoryServeEndToEndTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcpwarden-recommend-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Recommend_ForTheFixture_PassesCheck_AndAServeWithItShowsExactlyTheToolsItDoesNotDeny()
    {
        var before = new FixtureGateway(Directory.CreateDirectory(Path.Combine(_directory, "before")).FullName, """{ "version": "1", "default": "deny", "tools": {} }""");
        var recommended = await CliProcess.RunAsync("recommend", "--config", before.Configuration, "--server", "payments");
        Assert.True(recommended.ExitCode == 0, recommended.Error);
        var policyFile = Path.Combine(_directory, "payments.policy.json");
        await File.WriteAllTextAsync(policyFile, recommended.Output, TestContext.Current.CancellationToken);

        // Nothing but the policy on standard output: it is a file as it stands.
        var check = await CliProcess.RunAsync("check", policyFile);
        Assert.True(check.ExitCode == 0, check.Output + check.Error);

        var inventory = await CliProcess.RunAsync("inventory", "--config", before.Configuration, "--json");
        var allTools = Tools(JsonDocument.Parse(inventory.Output).RootElement).Select(t => t.GetProperty("name").GetString()!).ToArray();
        Assert.NotEmpty(allTools);
        var policy = PolicyLoader.LoadFile(policyFile).Policy!;
        var expected = allTools.Where(tool => !policy.Hides(tool)).Order(StringComparer.Ordinal).ToArray();

        var after = new FixtureGateway(Directory.CreateDirectory(Path.Combine(_directory, "after")).FullName, recommended.Output);
        await using var gateway = await ServeGatewayProcess.StartAsync(after.Configuration);
        using var http = new McpHttpExchange();
        var session = await http.InitializeAsync(gateway.Endpoint("payments"));
        var listed = await http.PostAsync(gateway.Endpoint("payments"), """{"jsonrpc":"2.0","id":"list","method":"tools/list"}""", session);
        var seen = listed.Last.GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, seen);

        // The running gateway's inventory: the admin token is required, and it reports the same tools, visible as the client saw them.
        using (var anonymous = new AdminClient(gateway.BaseUrl, token: null))
        {
            var (status, _) = await anonymous.GetAsync("/api/inventory");
            Assert.Equal(HttpStatusCode.Unauthorized, status);
        }

        using var admin = new AdminClient(gateway.BaseUrl);
        var (ok, body) = await admin.GetAsync("/api/inventory?server=payments");
        Assert.Equal(HttpStatusCode.OK, ok);
        var reported = Tools(body).ToArray();
        Assert.Equal(allTools, reported.Select(t => t.GetProperty("name").GetString()!).ToArray());
        Assert.Equal(expected, reported.Where(t => t.GetProperty("visible").GetBoolean()).Select(t => t.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToArray());
        var (missing, _) = await admin.GetAsync("/api/inventory?server=nope");
        Assert.Equal(HttpStatusCode.NotFound, missing);
    }

    [Theory]
    [InlineData("streamableHttp", "http")]
    [InlineData("sse", "sse")]
    public async Task Inventory_OfAServerOverHttp_ListsItsTools(string mode, string type)
    {
        await using var upstream = await ServerEverythingOverHttp.StartAsync(mode);
        var configuration = EndToEnd.ConfigurationFor(_directory, """{ "version": "1", "default": "deny", "tools": { "echo": {} } }""", upstream.Endpoint, type);

        var inventory = await CliProcess.RunAsync("inventory", "--config", configuration, "--json");

        Assert.True(inventory.ExitCode == 0, inventory.Error);
        var server = JsonDocument.Parse(inventory.Output).RootElement.GetProperty("servers")[0];
        Assert.True(server.GetProperty("listed").GetBoolean(), server.GetProperty("error").GetString());
        var tools = server.GetProperty("tools").EnumerateArray().ToArray();
        Assert.Contains(tools, t => t.GetProperty("name").GetString() == "echo" && t.GetProperty("visible").GetBoolean());
        Assert.Contains(tools, t => t.GetProperty("name").GetString() == "get-sum" && !t.GetProperty("visible").GetBoolean());
    }

    [Fact]
    public async Task ApiInventory_AfterAClientListedTheTools_ReportsThemPinned()
    {
        var fixture = new FixtureGateway(_directory, """{ "version": "1", "default": "deny", "tools": { "mpesa_stk_push": {} } }""");
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        using var admin = new AdminClient(gateway.BaseUrl);
        var (_, before) = await admin.GetAsync("/api/inventory");
        Assert.All(Tools(before), tool => Assert.Equal("unpinned", tool.GetProperty("pin").GetProperty("state").GetString()));

        using var http = new McpHttpExchange();
        var session = await http.InitializeAsync(gateway.Endpoint("payments"));
        await http.PostAsync(gateway.Endpoint("payments"), """{"jsonrpc":"2.0","id":"list","method":"tools/list"}""", session);

        var (_, after) = await admin.GetAsync("/api/inventory");
        Assert.All(Tools(after), tool => Assert.Equal("pinned", tool.GetProperty("pin").GetProperty("state").GetString()));
    }

    [Fact]
    public async Task Inventory_AfterAServeListedTheToolsForAClient_ReadsThemPinnedFromTheStore()
    {
        var fixture = new FixtureGateway(_directory, """{ "version": "1", "default": "deny", "tools": { "mpesa_stk_push": {} } }""", $$"""
            "store": { "path": {{JsonSerializer.Serialize(Path.Combine(_directory, "state.db"))}} },
            """);
        await using (var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration))
        {
            using var http = new McpHttpExchange();
            var session = await http.InitializeAsync(gateway.Endpoint("payments"));
            await http.PostAsync(gateway.Endpoint("payments"), """{"jsonrpc":"2.0","id":"list","method":"tools/list"}""", session);
            Assert.Equal(0, await gateway.StopAsync());
        }

        var inventory = await CliProcess.RunAsync("inventory", "--config", fixture.Configuration, "--json");

        Assert.Equal(0, inventory.ExitCode);
        var tools = Tools(JsonDocument.Parse(inventory.Output).RootElement);
        Assert.All(tools, tool => Assert.Equal("pinned", tool.GetProperty("pin").GetProperty("state").GetString()));
    }

    [Fact]
    public async Task ApiInventory_KeepsEachProbeForAWhile_ReadsPinsAfresh_AndShowsAChangedToolsDiffUntilItIsAccepted()
    {
        var fixture = new FixtureGateway(_directory, """{ "version": "1", "default": "deny", "tools": { "get_balance": {} } }""");
        using var http = new McpHttpExchange();
        await using (var first = await ServeGatewayProcess.StartAsync(fixture.Configuration))
        {
            var firstSession = await http.InitializeAsync(first.Endpoint("payments"));
            await http.PostAsync(first.Endpoint("payments"), """{"jsonrpc":"2.0","id":"list","method":"tools/list"}""", firstSession);
        }

        var configuration = File.ReadAllText(fixture.Configuration);
        File.WriteAllText(fixture.Configuration, configuration.Replace("\"env\": { ", "\"env\": { \"FIXTURE_DESCRIBE\": \"get_balance=Returns the balance in KES.\", ", StringComparison.Ordinal));
        await using var gateway = await ServeGatewayProcess.StartAsync(fixture.Configuration);
        using var admin = new AdminClient(gateway.BaseUrl);

        // The change as the probe sees it: the diff from the pin, and nothing waiting yet (no gateway has listed it for a client).
        var (_, before) = await admin.GetAsync("/api/inventory?server=payments");
        var probedAt = Payments(before).GetProperty("probedAt").GetString();
        var pin = Balance(before).GetProperty("pin");
        Assert.Equal("changed", pin.GetProperty("state").GetString());
        var change = Assert.Single(pin.GetProperty("diff").EnumerateArray());
        Assert.Equal("/description", change.GetProperty("path").GetString());
        Assert.Equal("\"Returns the balance in KES.\"", change.GetProperty("after").GetString());
        Assert.Equal(JsonValueKind.Null, pin.GetProperty("waitingFingerprint").ValueKind);

        var session = await http.InitializeAsync(gateway.Endpoint("payments"));
        await http.PostAsync(gateway.Endpoint("payments"), """{"jsonrpc":"2.0","id":"list","method":"tools/list"}""", session);

        // The same probe (kept), the pins read again: the change now waits with the fingerprint of what is listed.
        var (_, kept) = await admin.GetAsync("/api/inventory");
        Assert.Equal(probedAt, Payments(kept).GetProperty("probedAt").GetString());
        var waiting = Balance(kept).GetProperty("pin");
        Assert.Equal(waiting.GetProperty("fingerprint").GetString(), waiting.GetProperty("waitingFingerprint").GetString());

        var (refreshedStatus, refreshed) = await admin.GetAsync("/api/inventory?refresh=true");
        Assert.Equal(HttpStatusCode.OK, refreshedStatus);
        Assert.NotEqual(probedAt, Payments(refreshed).GetProperty("probedAt").GetString());
        var (bad, badBody) = await admin.GetAsync("/api/inventory?refresh=yes");
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Contains("refresh must be true or false", badBody.GetProperty("error").GetString(), StringComparison.Ordinal);

        var (accepted, _) = await admin.PostAsync("/api/pins/payments/get_balance/accept", $$"""{"fingerprint":"{{waiting.GetProperty("waitingFingerprint").GetString()}}"}""");
        Assert.Equal(HttpStatusCode.OK, accepted);
        var (_, after) = await admin.GetAsync("/api/inventory");
        var afterPin = Balance(after).GetProperty("pin");
        Assert.Equal("pinned", afterPin.GetProperty("state").GetString());
        Assert.Empty(afterPin.GetProperty("diff").EnumerateArray());
        Assert.True(Balance(after).GetProperty("visible").GetBoolean());
    }

    private static JsonElement Payments(JsonElement inventory) =>
        inventory.GetProperty("servers").EnumerateArray().Single(s => s.GetProperty("server").GetString() == "payments");

    private static JsonElement Balance(JsonElement inventory) =>
        Tools(inventory).Single(t => t.GetProperty("name").GetString() == "get_balance");

    private static JsonElement.ArrayEnumerator Tools(JsonElement inventory) =>
        inventory.GetProperty("servers").EnumerateArray().Single(s => s.GetProperty("server").GetString() == "payments").GetProperty("tools").EnumerateArray();
}
