using System.Text.Json;
using McpWarden.Gateway.Inventory;
using Xunit;

namespace McpWarden.Gateway.Tests.Inventory;

public sealed class InventoryJsonTests
{
    [Fact]
    public void TheDocument_CarriesEachToolsRuleLimitsPinAndVisibility()
    {
        var report = InventoryAssembler.Assemble(
            [InventoryAssemblerTests.Server("shop", """
                { "version": "1", "default": "deny", "tools": {
                  "pay": { "action": "approve", "approval": { "timeout": 120, "unless": { "properties": { "amount": { "maximum": 100 } } } },
                           "limits": [ { "counter": "spend", "window": "day", "max": 5000, "scope": "grant", "cost": "amount" } ] } } }
                """)],
            [InventoryAssemblerTests.Probe("shop", InventoryAssemblerTests.Tool("pay"), InventoryAssemblerTests.Tool("other"))],
            []);

        var json = JsonDocument.Parse(InventoryJson.Write(report, indented: false)).RootElement;
        var server = Assert.Single(json.GetProperty("servers").EnumerateArray());
        Assert.Equal("shop", server.GetProperty("server").GetString());
        Assert.True(server.GetProperty("listed").GetBoolean());
        Assert.Equal("enforce", server.GetProperty("mode").GetString());
        Assert.Equal("shop-server", server.GetProperty("serverInfo").GetProperty("name").GetString());

        var pay = server.GetProperty("tools")[0];
        Assert.Equal("pay", pay.GetProperty("name").GetString());
        var rule = pay.GetProperty("rule");
        Assert.Equal("approve", rule.GetProperty("action").GetString());
        Assert.Equal("/tools/pay", rule.GetProperty("path").GetString());
        Assert.Equal(120, rule.GetProperty("approvalTimeoutSeconds").GetDouble());
        Assert.True(rule.GetProperty("approvalUnless").GetBoolean());
        var limit = Assert.Single(rule.GetProperty("limits").EnumerateArray());
        Assert.Equal("spend", limit.GetProperty("counter").GetString());
        Assert.Equal(86400, limit.GetProperty("windowSeconds").GetDouble());
        Assert.Equal(5000, limit.GetProperty("max").GetDecimal());
        Assert.Equal("grant", limit.GetProperty("scope").GetString());
        Assert.Equal("amount", limit.GetProperty("cost").GetString());
        Assert.True(pay.GetProperty("visible").GetBoolean());
        Assert.Equal("unpinned", pay.GetProperty("pin").GetProperty("state").GetString());
        Assert.Equal(64, pay.GetProperty("pin").GetProperty("fingerprint").GetString()!.Length);
        Assert.Equal(report.Servers[0].Tools[0].Classification.Rationale, pay.GetProperty("rationale").GetString());

        var other = server.GetProperty("tools")[1];
        Assert.Equal("deny", other.GetProperty("rule").GetProperty("action").GetString());
        Assert.True(other.GetProperty("rule").GetProperty("default").GetBoolean());
        Assert.False(other.GetProperty("visible").GetBoolean());
        Assert.Equal("policy", Assert.Single(other.GetProperty("hiddenBy").EnumerateArray()).GetString());
    }

    [Fact]
    public void AServerThatCouldNotBeListed_SaysSoWithItsError()
    {
        var report = InventoryAssembler.Assemble([InventoryAssemblerTests.Server("gone", """{ "version": "1", "default": "deny", "tools": {} }""")], [ProbedServer.Failed("gone", "no such command")], []);

        var server = JsonDocument.Parse(InventoryJson.Write(report, indented: true)).RootElement.GetProperty("servers")[0];

        Assert.False(server.GetProperty("listed").GetBoolean());
        Assert.Equal("no such command", server.GetProperty("error").GetString());
        Assert.Empty(server.GetProperty("tools").EnumerateArray());
    }
}
