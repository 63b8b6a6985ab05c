using System.Text.Json;
using McpWarden.Catalog.Classification;
using McpWarden.Catalog.Definitions;
using McpWarden.Tests.Cli;
using ModelContextProtocol;
using Xunit;

namespace McpWarden.Tests.Catalog;

/// <summary><c>mcpwarden inventory</c> and <c>recommend</c> against real servers (see <see cref="CatalogServers"/>).</summary>
public sealed class InventoryEndToEndTests : IClassFixture<CatalogServers>
{
    private readonly CatalogServers _servers;

    public InventoryEndToEndTests(CatalogServers servers) => _servers = servers;

    [Fact]
    public void Inventory_ListsForEachServerExactlyTheToolsTheServerLists()
    {
        foreach (var name in CatalogServers.Listed)
        {
            var server = _servers.InventoryOf(name);
            Assert.True(server.GetProperty("listed").GetBoolean(), name);
            var expected = _servers.Independent[name].Tools.Select(t => t.Name).ToArray();
            Assert.NotEmpty(expected);
            Assert.Equal(expected, server.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray());
            Assert.Equal(_servers.Independent[name].Info.Name, server.GetProperty("serverInfo").GetProperty("name").GetString());
        }
    }

    [Fact]
    public void Inventory_EachToolCarriesWhatTheClassifierSaysOfItsDefinition()
    {
        foreach (var name in CatalogServers.Listed)
        {
            var (info, instructions, tools) = _servers.Independent[name];
            var context = new ServerContext(name, info.Name, info.Title, info.Version, instructions);
            var listed = _servers.InventoryOf(name).GetProperty("tools").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
            foreach (var tool in tools)
            {
                var definition = ToolDefinition.From(JsonSerializer.SerializeToElement(tool, McpJsonUtilities.DefaultOptions))!;
                var expected = RiskClassifier.Classify(definition, context);
                var reported = listed[tool.Name];
                Assert.Equal(CatalogNames.Of(expected.Category), reported.GetProperty("category").GetString());
                Assert.Equal(CatalogNames.Of(expected.Risk), reported.GetProperty("risk").GetString());
                Assert.Equal(expected.Rationale, reported.GetProperty("rationale").GetString());
                Assert.False(string.IsNullOrWhiteSpace(reported.GetProperty("rationale").GetString()), $"{name}/{tool.Name} has no rationale");
            }
        }
    }

    [Fact]
    public void Inventory_RulesReflectThePolicy_AllowedToolsWithTheirLimits_TheRestDeniedByDefaultAndHidden()
    {
        var allowed = new Dictionary<string, string> { ["payments"] = "mpesa_stk_push", ["everything"] = "echo" };
        foreach (var name in CatalogServers.Listed)
        {
            foreach (var tool in _servers.InventoryOf(name).GetProperty("tools").EnumerateArray())
            {
                var rule = tool.GetProperty("rule");
                if (allowed.GetValueOrDefault(name) == tool.GetProperty("name").GetString())
                {
                    Assert.Equal("allow", rule.GetProperty("action").GetString());
                    Assert.Equal("/tools/" + allowed[name], rule.GetProperty("path").GetString());
                    Assert.True(tool.GetProperty("visible").GetBoolean());
                    Assert.Empty(tool.GetProperty("hiddenBy").EnumerateArray());
                }
                else
                {
                    Assert.Equal("deny", rule.GetProperty("action").GetString());
                    Assert.True(rule.GetProperty("default").GetBoolean());
                    Assert.Equal("/default", rule.GetProperty("path").GetString());
                    Assert.False(tool.GetProperty("visible").GetBoolean());
                    Assert.Contains("policy", tool.GetProperty("hiddenBy").EnumerateArray().Select(h => h.GetString()));
                }
            }
        }

        var push = _servers.InventoryOf("payments").GetProperty("tools").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "mpesa_stk_push");
        var limit = Assert.Single(push.GetProperty("rule").GetProperty("limits").EnumerateArray());
        Assert.Equal("stk_push_rate", limit.GetProperty("counter").GetString());
        Assert.Equal(60, limit.GetProperty("windowSeconds").GetDouble());
        Assert.Equal(10, limit.GetProperty("max").GetDecimal());
        Assert.Equal("grant", limit.GetProperty("scope").GetString());
    }

    [Fact]
    public void Inventory_BeforeAnyGatewayRun_EveryToolIsUnpinned_AndNoStoreIsCreated()
    {
        foreach (var name in CatalogServers.Listed)
        {
            Assert.All(_servers.InventoryOf(name).GetProperty("tools").EnumerateArray(), tool => Assert.Equal("unpinned", tool.GetProperty("pin").GetProperty("state").GetString()));
        }

        Assert.False(File.Exists(_servers.Store), "the inventory only reads: it must not create the store");
    }

    [Fact]
    public void Inventory_ServersThatCannotBeListed_AreReportedWithTheirError_WhileTheOthersAreListed_AndTheExitIsZero()
    {
        Assert.Equal(0, _servers.Json.ExitCode);
        var gone = _servers.InventoryOf("gone");
        Assert.False(gone.GetProperty("listed").GetBoolean());
        Assert.Contains("no-such-server", gone.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(gone.GetProperty("tools").EnumerateArray());

        var silent = _servers.InventoryOf("silent");
        Assert.False(silent.GetProperty("listed").GetBoolean());
        Assert.Equal("silent did not answer initialize within 2s", silent.GetProperty("error").GetString());

        // The probe closes what it started, even a server that never answered.
        var pid = int.Parse(File.ReadAllText(_servers.SilentPidFile), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(SpinWait.SpinUntil(() => CatalogServers.Ended(pid), TimeSpan.FromSeconds(10)), $"the silent server (pid {pid}) is still running");

        Assert.Equal(CatalogServers.Listed.Length, _servers.Inventory.GetProperty("servers").EnumerateArray().Count(s => s.GetProperty("listed").GetBoolean()));
        Assert.Contains("not listed: gone, silent", _servers.Json.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void InventoryTable_PrintsARowForEveryTool_WithinAHundredAndTwentyColumns()
    {
        Assert.Equal(0, _servers.Table.ExitCode);
        var lines = _servers.Table.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.All(lines, line => Assert.True(line.Length <= 120, $"{line.Length} columns: {line}"));
        foreach (var name in CatalogServers.Listed)
        {
            foreach (var tool in _servers.Independent[name].Tools)
            {
                Assert.Single(lines, line => line.StartsWith(name + " ", StringComparison.Ordinal) && line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] == tool.Name);
            }
        }

        Assert.Contains(lines, line => line.StartsWith("    not listed: silent did not answer initialize", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Inventory_OfOneServer_ReportsOnlyIt()
    {
        var result = await CliProcess.RunAsync("inventory", "--config", _servers.Configuration, "--json", "--server", "everything");

        Assert.Equal(0, result.ExitCode);
        var servers = JsonDocument.Parse(result.Output).RootElement.GetProperty("servers");
        Assert.Equal("everything", Assert.Single(servers.EnumerateArray()).GetProperty("server").GetString());
        Assert.Equal(_servers.Independent["everything"].Tools.Count, servers[0].GetProperty("tools").GetArrayLength());
    }

    [Fact]
    public async Task InventoryAndRecommend_NamingAServerNotConfigured_ExitTwo()
    {
        var inventory = await CliProcess.RunAsync("inventory", "--config", _servers.Configuration, "--server", "nope");
        var recommend = await CliProcess.RunAsync("recommend", "--config", _servers.Configuration, "--server", "nope");

        Assert.Equal(2, inventory.ExitCode);
        Assert.Equal(2, recommend.ExitCode);
        Assert.Contains("no server is named \"nope\"", inventory.Error, StringComparison.Ordinal);
        Assert.Empty(recommend.Output);
    }

    [Fact]
    public async Task Recommend_WithSeveralServersAndNoServerNamed_ExitsTwoNamingThem()
    {
        var result = await CliProcess.RunAsync("recommend", "--config", _servers.Configuration);

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Contains("payments, everything, filesystem, memory, daraja, gone, silent", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recommend_ForAServerThatCannotBeListed_ExitsOneWithItsError()
    {
        var result = await CliProcess.RunAsync("recommend", "--config", _servers.Configuration, "--server", "gone");

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Contains("no-such-server", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inventory_OfAConfigurationThatDoesNotLoad_ExitsTwo()
    {
        var bad = Path.Combine(Path.GetDirectoryName(_servers.Configuration)!, "bad.json");
        await File.WriteAllTextAsync(bad, """{ "mcpServers": { "x": { "command": "node", "policy": { "version": "1", "default": "maybe" } } } }""", TestContext.Current.CancellationToken);

        var result = await CliProcess.RunAsync("inventory", "--config", bad);

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Contains("/mcpServers/x/policy/default", result.Error, StringComparison.Ordinal);
    }
}
